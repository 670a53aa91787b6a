-- Create principals
DO $rolec$
BEGIN
  CREATE ROLE analyst;
EXCEPTION WHEN duplicate_object THEN
  NULL;
END
$rolec$;
ALTER ROLE analyst WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity';
COMMENT ON ROLE analyst IS NULL;

-- Converge attributes
COMMENT ON ROLE app_read IS 'read-only access to the shop';

-- Memberships
GRANT app_read TO analyst;

-- Grant privileges
GRANT SELECT ON TABLE shop_app.orders TO auditor WITH GRANT OPTION;

-- Revoke memberships
REVOKE app_read FROM bi_user;
