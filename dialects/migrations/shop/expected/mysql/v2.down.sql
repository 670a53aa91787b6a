
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';

-- Grant memberships
GRANT 'app_write'@'%' TO 'analyst'@'%';

-- Default roles (activated at login)
SET DEFAULT ROLE ALL TO 'analyst'@'%';

-- Revoke privileges
REVOKE IF EXISTS SELECT (`status`) ON `shop_app`.`customers` FROM 'app_write'@'%' IGNORE UNKNOWN USER;

-- Drop principals
DROP USER IF EXISTS 'bi_user'@'%';
DROP ROLE IF EXISTS 'auditor'@'%';

-- Notes
-- comment of svc_orders changed: it stays in the policy (MySQL keeps no account comments here)
