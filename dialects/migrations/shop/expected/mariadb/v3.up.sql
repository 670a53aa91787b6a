
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER';

-- Create principals
CREATE ROLE IF NOT EXISTS `rolec_default_bi_user` WITH ADMIN CURRENT_USER;

-- Grant memberships
GRANT `app_read` TO 'bi_user'@'%';
GRANT `app_read` TO `rolec_default_bi_user`;
GRANT `auditor` TO `rolec_default_bi_user`;
GRANT `rolec_default_bi_user` TO 'bi_user'@'%';

-- Default roles (activated at login)
SET DEFAULT ROLE `rolec_default_bi_user` FOR 'bi_user'@'%';

-- Revoke privileges
DELIMITER //
BEGIN NOT ATOMIC
  DECLARE CONTINUE HANDLER FOR 1141, 1147, 1403, 1959 BEGIN END;
  REVOKE GRANT OPTION ON `shop_app`.`orders` FROM `auditor`;
END//
DELIMITER ;

-- Drop principals
DROP USER IF EXISTS 'analyst'@'%';

-- Notes
-- comment of app_read changed: it stays in the policy (MariaDB keeps no account comments here)
