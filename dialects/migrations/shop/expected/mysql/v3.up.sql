
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';

-- Grant memberships
GRANT 'app_read'@'%' TO 'bi_user'@'%';

-- Default roles (activated at login)
SET DEFAULT ROLE ALL TO 'bi_user'@'%';

-- Revoke privileges
REVOKE IF EXISTS GRANT OPTION ON `shop_app`.`orders` FROM 'auditor'@'%' IGNORE UNKNOWN USER;

-- Drop principals
DROP USER IF EXISTS 'analyst'@'%';

-- Notes
-- comment of app_read changed: it stays in the policy (MySQL keeps no account comments here)
