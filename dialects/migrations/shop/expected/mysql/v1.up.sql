
-- Session
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';

-- Create principals
CREATE USER IF NOT EXISTS 'analyst'@'%' ACCOUNT LOCK;
ALTER USER 'analyst'@'%' WITH MAX_USER_CONNECTIONS 0;
CREATE ROLE IF NOT EXISTS 'app_read'@'%';
CREATE ROLE IF NOT EXISTS 'app_write'@'%';
CREATE USER IF NOT EXISTS 'svc_orders'@'10.0.%' IDENTIFIED WITH mysql_native_password AS '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7';
ALTER USER 'svc_orders'@'10.0.%' IDENTIFIED WITH mysql_native_password AS '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' WITH MAX_USER_CONNECTIONS 0 ACCOUNT UNLOCK;
CREATE USER IF NOT EXISTS 'svc_orders'@'localhost' IDENTIFIED WITH mysql_native_password AS '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7';
ALTER USER 'svc_orders'@'localhost' IDENTIFIED WITH mysql_native_password AS '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' WITH MAX_USER_CONNECTIONS 0 ACCOUNT UNLOCK;

-- Grant memberships
GRANT 'app_read'@'%' TO 'analyst'@'%', 'app_write'@'%';
GRANT 'app_write'@'%' TO 'analyst'@'%', 'svc_orders'@'10.0.%', 'svc_orders'@'localhost';

-- Grant privileges
GRANT SELECT ON `shop\_app`.* TO 'app_read'@'%';
GRANT SELECT (`email`, `id`) ON `shop_app`.`customers` TO 'app_write'@'%';
GRANT DELETE, INSERT, UPDATE ON `shop_app`.`order_items` TO 'app_write'@'%';
GRANT DELETE, INSERT, UPDATE ON `shop_app`.`orders` TO 'app_write'@'%';

-- Default roles (activated at login)
SET DEFAULT ROLE ALL TO 'analyst'@'%';
SET DEFAULT ROLE ALL TO 'svc_orders'@'10.0.%', 'svc_orders'@'localhost';

-- Notes
-- schema shop_app owned by app_owner: MySQL databases have no owner; nothing to do
