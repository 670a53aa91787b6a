
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER';

-- Create principals
CREATE USER IF NOT EXISTS 'analyst'@'%' ACCOUNT LOCK;
ALTER USER 'analyst'@'%' WITH MAX_USER_CONNECTIONS 0;
CREATE ROLE IF NOT EXISTS `app_read` WITH ADMIN CURRENT_USER;
CREATE ROLE IF NOT EXISTS `app_write` WITH ADMIN CURRENT_USER;
CREATE USER IF NOT EXISTS 'svc_orders'@'10.0.%' IDENTIFIED BY PASSWORD '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7';
ALTER USER 'svc_orders'@'10.0.%' IDENTIFIED BY PASSWORD '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' WITH MAX_USER_CONNECTIONS 0 ACCOUNT UNLOCK;
CREATE USER IF NOT EXISTS 'svc_orders'@'localhost' IDENTIFIED BY PASSWORD '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7';
ALTER USER 'svc_orders'@'localhost' IDENTIFIED BY PASSWORD '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' WITH MAX_USER_CONNECTIONS 0 ACCOUNT UNLOCK;
CREATE ROLE IF NOT EXISTS `rolec_default_analyst` WITH ADMIN CURRENT_USER;

-- Grant memberships
GRANT `app_read` TO 'analyst'@'%', `app_write`;
GRANT `app_write` TO 'analyst'@'%', 'svc_orders'@'10.0.%', 'svc_orders'@'localhost';
GRANT `app_read` TO `rolec_default_analyst`;
GRANT `app_write` TO `rolec_default_analyst`;
GRANT `rolec_default_analyst` TO 'analyst'@'%';

-- Grant privileges
GRANT SELECT ON `shop\_app`.* TO `app_read`;
GRANT SELECT (`email`, `id`) ON `shop_app`.`customers` TO `app_write`;
GRANT DELETE, INSERT, UPDATE ON `shop_app`.`order_items` TO `app_write`;
GRANT DELETE, INSERT, UPDATE ON `shop_app`.`orders` TO `app_write`;

-- Default roles (activated at login)
SET DEFAULT ROLE `rolec_default_analyst` FOR 'analyst'@'%';
SET DEFAULT ROLE `app_write` FOR 'svc_orders'@'10.0.%';
SET DEFAULT ROLE `app_write` FOR 'svc_orders'@'localhost';

-- Notes
-- schema shop_app owned by app_owner: MariaDB databases have no owner; nothing to do
