/*
 * types.c -- SQL types and their physical representation.
 */
#include <stdio.h>

#include "util/util.h"

Type type_make(TypeId id)
{
    Type t = {(uint8_t)id, 0, 0, 0, -1};
    if (id == TYPE_DECIMAL) {
        t.prec = DECIMAL_MAX_PREC;
        t.scale = 3;
    }
    return t;
}

Type type_decimal(int prec, int scale)
{
    Type t = {TYPE_DECIMAL, (uint8_t)prec, (uint8_t)scale, 0, -1};
    return t;
}

Type type_varchar(int len)
{
    Type t = {TYPE_VARCHAR, 0, 0, 0, len};
    return t;
}

PhysType type_phys(Type t)
{
    switch ((TypeId)t.id) {
    case TYPE_NULL:
    case TYPE_BOOL:
        return PHYS_U8;
    case TYPE_INT32:
    case TYPE_DATE:
        return PHYS_I32;
    case TYPE_INT64:
    case TYPE_DECIMAL:
    case TYPE_INTERVAL:
        return PHYS_I64;
    case TYPE_DOUBLE:
        return PHYS_F64;
    case TYPE_VARCHAR:
        return PHYS_STR;
    case TYPE__COUNT:
        break;
    }
    return PHYS_U8;
}

size_t type_width(Type t)
{
    static const size_t widths[] = {1, 4, 8, 8, sizeof(Str)};
    return widths[type_phys(t)];
}

bool type_equal(Type a, Type b)
{
    if (a.id != b.id)
        return false;
    if (a.id == TYPE_DECIMAL)
        return a.prec == b.prec && a.scale == b.scale;
    return true;
}

bool type_is_numeric(Type t)
{
    return t.id == TYPE_INT32 || t.id == TYPE_INT64 || t.id == TYPE_DOUBLE ||
           t.id == TYPE_DECIMAL;
}

bool type_is_integer(Type t)
{
    return t.id == TYPE_INT32 || t.id == TYPE_INT64;
}

const char *type_name(Type t, char *buf, size_t cap)
{
    switch ((TypeId)t.id) {
    case TYPE_NULL:
        return "NULL";
    case TYPE_BOOL:
        return "BOOLEAN";
    case TYPE_INT32:
        return "INTEGER";
    case TYPE_INT64:
        return "BIGINT";
    case TYPE_DOUBLE:
        return "DOUBLE";
    case TYPE_DECIMAL:
        snprintf(buf, cap, "DECIMAL(%d,%d)", t.prec, t.scale);
        return buf;
    case TYPE_DATE:
        return "DATE";
    case TYPE_VARCHAR:
        if (t.len >= 0) {
            snprintf(buf, cap, "VARCHAR(%d)", t.len);
            return buf;
        }
        return "VARCHAR";
    case TYPE_INTERVAL:
        return "INTERVAL";
    case TYPE__COUNT:
        break;
    }
    return "?";
}
