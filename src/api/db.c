/*
 * db.c -- opening and closing databases, errors, settings.
 */
#include <stdio.h>

#include "api/api_int.h"

static const struct {
    int code;
    const char *name;
    const char *desc;
} status_table[] = {
#define EMBER_STATUS_ROW(name, value, desc) {value, "EMBER_" #name, desc},
    EMBER_STATUS_MAP(EMBER_STATUS_ROW)
#undef EMBER_STATUS_ROW
};

const char *ember_status_name(int code)
{
    for (size_t i = 0; i < ARRAY_LEN(status_table); i++)
        if (status_table[i].code == code)
            return status_table[i].name;
    return "EMBER_UNKNOWN";
}

const char *ember_errstr(int code)
{
    for (size_t i = 0; i < ARRAY_LEN(status_table); i++)
        if (status_table[i].code == code)
            return status_table[i].desc;
    return "unknown status";
}

const char *ember_libversion(void)
{
    return EMBER_VERSION;
}

int api_fail(ember_db *db, const Err *e)
{
    db->err = *e;
    if (db->err.code == EMBER_OK)
        db->err.code = EMBER_ERROR;
    if (e->hint[0])
        snprintf(db->errmsg, sizeof(db->errmsg), "%s\nHINT: %s", e->msg,
                 e->hint);
    else
        snprintf(db->errmsg, sizeof(db->errmsg), "%s", e->msg);
    return db->err.code;
}

int api_error(ember_db *db, int code, const char *fmt, ...)
{
    Err e;
    err_clear(&e);
    va_list ap;
    va_start(ap, fmt);
    err_setv(&e, code, -1, fmt, ap);
    va_end(ap);
    return api_fail(db, &e);
}

static void clear_error(ember_db *db)
{
    err_clear(&db->err);
    db->errmsg[0] = 0;
}

int ember_open(const char *path, ember_db **out)
{
    if (out == NULL)
        return EMBER_MISUSE;
    ember_db *db = mem_calloc(sizeof(*db));
    *out = db;
    if (db == NULL)
        return EMBER_NOMEM;
    catalog_init(&db->catalog);
    settings_default(&db->settings);
    clear_error(db);
    db->mc = memcache_create();
    if (db->mc == NULL)
        return api_error(db, EMBER_NOMEM, "out of memory");
    if (path != NULL && strcmp(path, ":memory:") != 0 && path[0] != 0) {
        db->open_failed = true;
        return api_error(db, EMBER_CANTOPEN,
                         "unable to open database \"%s\": file databases are "
                         "not supported yet (use :memory:)", path);
    }
    return EMBER_OK;
}

int ember_close(ember_db *db)
{
    if (db == NULL)
        return EMBER_OK;
    while (db->stmts)
        ember_finalize(db->stmts);
    pool_destroy(db->pool);
    memcache_destroy(db->mc);
    catalog_release(&db->catalog);
    mem_free(db);
    return EMBER_OK;
}

ThreadPool *api_pool(ember_db *db)
{
    int want = db->settings.threads - 1;
    if (want < 0)
        want = 0;
    if (db->pool && db->pool_workers == want)
        return db->pool;
    pool_destroy(db->pool);
    db->pool = pool_create(want);
    db->pool_workers = db->pool ? pool_workers(db->pool) : 0;
    return db->pool;
}

const char *ember_errmsg(ember_db *db)
{
    if (db == NULL)
        return "out of memory";
    return db->err.code == EMBER_OK ? "not an error" : db->errmsg;
}

int ember_errcode(ember_db *db)
{
    return db ? db->err.code : EMBER_NOMEM;
}

int ember_error_offset(ember_db *db)
{
    return db && db->err.code != EMBER_OK ? db->err.pos : -1;
}

int64_t ember_changes(ember_db *db)
{
    return db ? db->changes : 0;
}

int ember_set(ember_db *db, const char *name, const char *value)
{
    if (db == NULL || name == NULL || value == NULL)
        return EMBER_MISUSE;
    Err e;
    err_clear(&e);
    int rc = settings_set(&db->settings, name, value, &e);
    if (rc != EMBER_OK)
        return api_fail(db, &e);
    return EMBER_OK;
}

int ember_get_setting(ember_db *db, const char *name, char *buf, size_t cap)
{
    if (db == NULL || name == NULL || buf == NULL)
        return EMBER_MISUSE;
    return settings_get(&db->settings, name, buf, cap);
}
