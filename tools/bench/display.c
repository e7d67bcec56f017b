/*
 * display.c -- how compare shows numbers, as benchstat does: units tidied
 * to base units (ns/op -> sec/op), values scaled with SI prefixes (binary
 * ones for bytes) so that the smallest value of a row keeps four
 * significant digits, and footnotes marked with superscript digits.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

double unit_tidy(const char *unit, char *buf, size_t cap)
{
    const char *slash = strchr(unit, '/');
    size_t base_len = slash ? (size_t)(slash - unit) : strlen(unit);
    const char *rest = unit + base_len;
    int n = (int)base_len;
    if (base_len == 2 && strncmp(unit, "ns", 2) == 0) {
        snprintf(buf, cap, "sec%s", rest);
        return 1e-9;
    }
    if (base_len > 3 && strncmp(unit + base_len - 3, "-ns", 3) == 0) {
        snprintf(buf, cap, "%.*s-sec%s", n - 3, unit, rest);
        return 1e-9;
    }
    if (base_len == 2 && strncmp(unit, "MB", 2) == 0) {
        snprintf(buf, cap, "B%s", rest);
        return 1e6;
    }
    snprintf(buf, cap, "%s", unit);
    return 1;
}

typedef enum UnitClass { CLASS_COUNT, CLASS_TIME, CLASS_BYTES } UnitClass;

static UnitClass unit_class(const char *display_unit)
{
    const char *slash = strchr(display_unit, '/');
    size_t n = slash ? (size_t)(slash - display_unit) : strlen(display_unit);
    if ((n == 3 && strncmp(display_unit, "sec", 3) == 0) ||
        (n > 4 && strncmp(display_unit + n - 4, "-sec", 4) == 0))
        return CLASS_TIME;
    if ((n == 1 && display_unit[0] == 'B') ||
        (n > 2 && strncmp(display_unit + n - 2, "-B", 2) == 0))
        return CLASS_BYTES;
    return CLASS_COUNT;
}

typedef struct Prefix {
    double factor;
    const char *name;
} Prefix;

static const Prefix decimal_prefixes[] = {
    {1e-9, "n"}, {1e-6, "µ"}, {1e-3, "m"}, {1, ""},
    {1e3, "k"},  {1e6, "M"},  {1e9, "G"},  {1e12, "T"},
};

static const Prefix binary_prefixes[] = {
    {1, ""},
    {1024.0, "Ki"},
    {1024.0 * 1024, "Mi"},
    {1024.0 * 1024 * 1024, "Gi"},
    {1024.0 * 1024 * 1024 * 1024, "Ti"},
};

Scale scale_for(const double *values, int n, const char *display_unit)
{
    Scale sc = {1, "", 0};
    double min_abs = INFINITY;
    for (int i = 0; i < n; i++)
        if (isfinite(values[i]) && values[i] != 0)
            min_abs = fmin(min_abs, fabs(values[i]));
    if (!isfinite(min_abs))
        return sc;
    UnitClass cls = unit_class(display_unit);
    const Prefix *p = cls == CLASS_BYTES ? binary_prefixes
                                         : decimal_prefixes;
    int np = cls == CLASS_BYTES ? (int)COUNT_OF(binary_prefixes)
                                : (int)COUNT_OF(decimal_prefixes);
    /* Time stops at seconds; bytes start at bytes. */
    if (cls == CLASS_TIME)
        np = 4;
    int pick = 0;
    for (int i = 0; i < np; i++)
        if (min_abs >= p[i].factor)
            pick = i;
    if (cls == CLASS_BYTES && min_abs < 1)
        pick = 0;
    sc.factor = p[pick].factor;
    sc.prefix = p[pick].name;
    double scaled = min_abs / sc.factor;
    int d = 3 - (int)floor(log10(scaled));
    sc.decimals = d < 0 ? 0 : (d > 3 ? 3 : d);
    /* Whole counts (rows, allocations) read best without decimals. */
    bool whole = cls != CLASS_TIME && sc.factor == 1;
    for (int i = 0; i < n && whole; i++)
        whole = !isfinite(values[i]) ||
                fabs(values[i] - round(values[i])) <= 1e-9 * fabs(values[i]);
    if (whole)
        sc.decimals = 0;
    return sc;
}

char *scale_format(const Scale *sc, double v, char *buf, size_t cap)
{
    if (v == 0)
        snprintf(buf, cap, "0");
    else if (isinf(v))
        snprintf(buf, cap, "%s∞", v < 0 ? "-" : "");
    else if (isnan(v))
        snprintf(buf, cap, "?");
    else
        snprintf(buf, cap, "%.*f%s", sc->decimals, v / sc->factor,
                 sc->prefix);
    return buf;
}

int utf8_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

const char *footnote_mark(int n, char *buf, size_t cap)
{
    static const char *const sup[] = {"⁰", "¹", "²", "³", "⁴",
                                      "⁵", "⁶", "⁷", "⁸", "⁹"};
    char digits[16];
    snprintf(digits, sizeof(digits), "%d", n);
    buf[0] = '\0';
    for (const char *d = digits; *d; d++)
        if (strlen(buf) + strlen(sup[*d - '0']) < cap)
            strcat(buf, sup[*d - '0']);
    return buf;
}
