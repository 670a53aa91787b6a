
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER';

-- Drop principals
DROP USER IF EXISTS 'svc_orders'@'10.0.%';
DROP USER IF EXISTS 'svc_orders'@'localhost';
DROP ROLE IF EXISTS `app_write`;
DROP ROLE IF EXISTS `app_read`;
DROP USER IF EXISTS 'analyst'@'%';
DROP ROLE IF EXISTS `rolec_default_analyst`;
