/*
 * error.c -- the one place errors are raised.
 *
 * err_set keeps the first error of a statement: later failures on the way
 * out (cleanup, cascaded checks) must not overwrite the cause.
 */
#include <stdio.h>

#include "util/util.h"

void err_clear(Err *e)
{
    e->code = EMBER_OK;
    e->pos = -1;
    e->msg[0] = 0;
    e->hint[0] = 0;
}

int err_setv(Err *e, int code, int pos, const char *fmt, va_list ap)
{
    if (e->code != EMBER_OK)
        return code;
    e->code = code;
    e->pos = pos;
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    return code;
}

int err_set(Err *e, int code, int pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, code, pos, fmt, ap);
    va_end(ap);
    return code;
}

int err_nomem(Err *e)
{
    return err_set(e, EMBER_NOMEM, -1, "out of memory");
}

void err_hint(Err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
    va_end(ap);
}
