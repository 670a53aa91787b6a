
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';

-- Create principals
CREATE ROLE IF NOT EXISTS 'auditor'@'%';
CREATE USER IF NOT EXISTS 'bi_user'@'%' ACCOUNT LOCK;
ALTER USER 'bi_user'@'%' WITH MAX_USER_CONNECTIONS 0;

-- Grant memberships
GRANT 'auditor'@'%' TO 'bi_user'@'%';

-- Grant privileges
GRANT SELECT (`status`) ON `shop_app`.`customers` TO 'app_write'@'%';
GRANT SELECT ON `shop_app`.`orders` TO 'auditor'@'%' WITH GRANT OPTION;

-- Default roles (activated at login)
SET DEFAULT ROLE ALL TO 'analyst'@'%';
SET DEFAULT ROLE ALL TO 'bi_user'@'%';

-- Revoke memberships
REVOKE IF EXISTS 'app_write'@'%' FROM 'analyst'@'%' IGNORE UNKNOWN USER;

-- Default roles again (after the revokes)
SET DEFAULT ROLE ALL TO 'analyst'@'%';

-- Notes
-- comment of svc_orders changed: it stays in the policy (MySQL keeps no account comments here)
