
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';

-- Create principals
CREATE USER IF NOT EXISTS 'analyst'@'%' ACCOUNT LOCK;
ALTER USER 'analyst'@'%' WITH MAX_USER_CONNECTIONS 0;

-- Grant memberships
GRANT 'app_read'@'%' TO 'analyst'@'%';

-- Grant privileges
GRANT SELECT ON `shop_app`.`orders` TO 'auditor'@'%' WITH GRANT OPTION;

-- Default roles (activated at login)
SET DEFAULT ROLE ALL TO 'analyst'@'%';
SET DEFAULT ROLE ALL TO 'bi_user'@'%';

-- Revoke memberships
REVOKE IF EXISTS 'app_read'@'%' FROM 'bi_user'@'%' IGNORE UNKNOWN USER;

-- Default roles again (after the revokes)
SET DEFAULT ROLE ALL TO 'bi_user'@'%';

-- Notes
-- comment of app_read changed: it stays in the policy (MySQL keeps no account comments here)
