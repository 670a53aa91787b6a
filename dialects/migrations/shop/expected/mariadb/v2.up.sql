
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER';

-- Create principals
CREATE ROLE IF NOT EXISTS `auditor` WITH ADMIN CURRENT_USER;
CREATE USER IF NOT EXISTS 'bi_user'@'%' ACCOUNT LOCK;
ALTER USER 'bi_user'@'%' WITH MAX_USER_CONNECTIONS 0;

-- Grant memberships
GRANT `auditor` TO 'bi_user'@'%';

-- Grant privileges
GRANT SELECT (`status`) ON `shop_app`.`customers` TO `app_write`;
GRANT SELECT ON `shop_app`.`orders` TO `auditor` WITH GRANT OPTION;

-- Default roles (activated at login)
SET DEFAULT ROLE `app_read` FOR 'analyst'@'%';
SET DEFAULT ROLE `auditor` FOR 'bi_user'@'%';

-- Revoke memberships
DELIMITER //
BEGIN NOT ATOMIC
  DECLARE CONTINUE HANDLER FOR 1959, 1962 BEGIN END;
  REVOKE `app_write` FROM 'analyst'@'%';
END//
DELIMITER ;

-- Drop principals
DROP ROLE IF EXISTS `rolec_default_analyst`;

-- Notes
-- comment of svc_orders changed: it stays in the policy (MariaDB keeps no account comments here)
