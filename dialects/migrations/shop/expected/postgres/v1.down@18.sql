-- Grant privileges
GRANT CONNECT, TEMPORARY ON DATABASE shop TO PUBLIC;

-- Drop principals
DO $rolec$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'svc_orders') THEN
    REASSIGN OWNED BY svc_orders TO CURRENT_USER;
    DROP OWNED BY svc_orders;
    IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d
               JOIN pg_catalog.pg_roles r ON d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
               JOIN pg_catalog.pg_database db ON db.oid = d.dbid
               WHERE r.rolname = 'svc_orders' AND db.datname <> current_database()) THEN
      RAISE NOTICE 'role % still owns or holds objects in other databases: run this script there too; it is dropped there', 'svc_orders';
    ELSE
      DROP ROLE svc_orders;
    END IF;
  END IF;
END
$rolec$;
DO $rolec$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'app_write') THEN
    REASSIGN OWNED BY app_write TO CURRENT_USER;
    DROP OWNED BY app_write;
    IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d
               JOIN pg_catalog.pg_roles r ON d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
               JOIN pg_catalog.pg_database db ON db.oid = d.dbid
               WHERE r.rolname = 'app_write' AND db.datname <> current_database()) THEN
      RAISE NOTICE 'role % still owns or holds objects in other databases: run this script there too; it is dropped there', 'app_write';
    ELSE
      DROP ROLE app_write;
    END IF;
  END IF;
END
$rolec$;
DO $rolec$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'app_read') THEN
    REASSIGN OWNED BY app_read TO CURRENT_USER;
    DROP OWNED BY app_read;
    IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d
               JOIN pg_catalog.pg_roles r ON d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
               JOIN pg_catalog.pg_database db ON db.oid = d.dbid
               WHERE r.rolname = 'app_read' AND db.datname <> current_database()) THEN
      RAISE NOTICE 'role % still owns or holds objects in other databases: run this script there too; it is dropped there', 'app_read';
    ELSE
      DROP ROLE app_read;
    END IF;
  END IF;
END
$rolec$;
DO $rolec$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'analyst') THEN
    REASSIGN OWNED BY analyst TO CURRENT_USER;
    DROP OWNED BY analyst;
    IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d
               JOIN pg_catalog.pg_roles r ON d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
               JOIN pg_catalog.pg_database db ON db.oid = d.dbid
               WHERE r.rolname = 'analyst' AND db.datname <> current_database()) THEN
      RAISE NOTICE 'role % still owns or holds objects in other databases: run this script there too; it is dropped there', 'analyst';
    ELSE
      DROP ROLE analyst;
    END IF;
  END IF;
END
$rolec$;
