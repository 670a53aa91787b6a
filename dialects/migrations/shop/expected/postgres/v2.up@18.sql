-- Create principals
DO $rolec$
BEGIN
  CREATE ROLE auditor;
EXCEPTION WHEN duplicate_object THEN
  NULL;
END
$rolec$;
ALTER ROLE auditor WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity';
COMMENT ON ROLE auditor IS 'reads orders for audits';
DO $rolec$
BEGIN
  CREATE ROLE bi_user;
EXCEPTION WHEN duplicate_object THEN
  NULL;
END
$rolec$;
ALTER ROLE bi_user WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity';
COMMENT ON ROLE bi_user IS NULL;

-- Converge attributes
COMMENT ON ROLE svc_orders IS 'order service: orders and items';

-- Memberships
GRANT auditor TO bi_user;

-- Grant privileges
GRANT CONNECT ON DATABASE shop TO auditor;
GRANT USAGE ON SCHEMA shop_app TO auditor;
GRANT SELECT ON TABLE shop_app.orders TO auditor WITH GRANT OPTION;
GRANT SELECT (status) ON TABLE shop_app.customers TO app_write;

-- Revoke memberships
REVOKE app_write FROM analyst;
