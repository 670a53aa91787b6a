#ifndef ROLEC_CSQLITE_SHIM_H
#define ROLEC_CSQLITE_SHIM_H

#include <sqlite3.h>

/* sqlite3_db_config is variadic, which Swift cannot call: one non-variadic
   wrapper for the integer options (SQLITE_DBCONFIG_DEFENSIVE, ...). */
static inline int rolec_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *result) {
    return sqlite3_db_config(db, op, value, result);
}

/* SQLITE_TRANSIENT is a cast of -1 to a function pointer, a macro Swift cannot import. */
static inline sqlite3_destructor_type rolec_sqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
