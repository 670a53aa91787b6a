
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER';

-- Create principals
CREATE ROLE IF NOT EXISTS `rolec_default_analyst` WITH ADMIN CURRENT_USER;

-- Grant memberships
GRANT `app_write` TO 'analyst'@'%';
GRANT `app_read` TO `rolec_default_analyst`;
GRANT `app_write` TO `rolec_default_analyst`;
GRANT `rolec_default_analyst` TO 'analyst'@'%';

-- Default roles (activated at login)
SET DEFAULT ROLE `rolec_default_analyst` FOR 'analyst'@'%';

-- Revoke privileges
DELIMITER //
BEGIN NOT ATOMIC
  DECLARE CONTINUE HANDLER FOR 1141, 1147, 1403, 1959 BEGIN END;
  REVOKE SELECT (`status`) ON `shop_app`.`customers` FROM `app_write`;
END//
DELIMITER ;

-- Drop principals
DROP USER IF EXISTS 'bi_user'@'%';
DROP ROLE IF EXISTS `auditor`;

-- Notes
-- comment of svc_orders changed: it stays in the policy (MariaDB keeps no account comments here)
