
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER';

-- Create principals
CREATE USER IF NOT EXISTS 'analyst'@'%' ACCOUNT LOCK;
ALTER USER 'analyst'@'%' WITH MAX_USER_CONNECTIONS 0;

-- Grant memberships
GRANT `app_read` TO 'analyst'@'%';

-- Grant privileges
GRANT SELECT ON `shop_app`.`orders` TO `auditor` WITH GRANT OPTION;

-- Default roles (activated at login)
SET DEFAULT ROLE `app_read` FOR 'analyst'@'%';
SET DEFAULT ROLE `auditor` FOR 'bi_user'@'%';

-- Revoke memberships
DELIMITER //
BEGIN NOT ATOMIC
  DECLARE CONTINUE HANDLER FOR 1959, 1962 BEGIN END;
  REVOKE `app_read` FROM 'bi_user'@'%';
END//
DELIMITER ;

-- Drop principals
DROP ROLE IF EXISTS `rolec_default_bi_user`;

-- Notes
-- comment of app_read changed: it stays in the policy (MariaDB keeps no account comments here)
