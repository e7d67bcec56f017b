/*
 * csv_int.h -- private to the CSV reader: the record parser (csv_parse.c)
 * and the driver that maps the file, splits it into byte ranges and
 * appends the parsed chunks in file order (csv_read.c).
 *
 * A range is parsed record by record into the rows of a Chunk. Field text
 * is converted in place: numbers and dates straight from the file bytes,
 * strings as Str values pointing into the file mapping (or, for quoted
 * fields that need unescaping, into a scratch arena that lives until the
 * chunk has been appended).
 */
#ifndef EMBER_CSV_INT_H
#define EMBER_CSV_INT_H

#include "storage/storage.h"

/* Room for the reason of a failed record, without the "path:line:col: "
 * prefix that the driver adds. */
#define CSV_REASON_CAP 300

/* Longest piece of field text quoted in an error message. */
#define CSV_SHOW_MAX 100

/* Dates of years [CSV_YEAR0, CSV_YEAR0 + CSV_YEARS) convert through a
 * table of month starts instead of the general calendar arithmetic. */
#define CSV_YEAR0 1900
#define CSV_YEARS 200
#define CSV_MONTHS (CSV_YEARS * 12)

/* Settings shared read-only by every task of one csv_read. */
typedef struct CsvParser {
    const Type *types; /* n_cols column types of the table */
    int n_cols;
    char delim;
    char quote;           /* 0: quotes are plain data */
    char escape;          /* escape inside quotes, 0 when doubling only */
    bool quoting;         /* the file has quote chars: state machine */
    const char *null_str; /* unquoted text that reads as NULL */
    size_t null_len;
    int32_t month_start[CSV_MONTHS + 1]; /* day number of each 1st */
} CsvParser;

/* The position of one task in its byte range. */
typedef struct CsvCursor {
    const char *p;   /* next byte to read */
    const char *end; /* end of the range (after a '\n' or EOF) */
    uint64_t line;   /* '\n' bytes consumed in this range */
} CsvCursor;

/* Why and where a range failed; code EMBER_OK while it has not. */
typedef struct CsvFail {
    int code;      /* EMBER_ERROR (bad data) or EMBER_NOMEM */
    uint64_t line; /* 0-based line within the range */
    int col;       /* 1-based field number */
    char reason[CSV_REASON_CAP];
} CsvFail;

/* Fill the derived tables of ps (after the other fields are set). */
void csv_parser_init(CsvParser *ps);

/* Skip one record without converting it (the header line). */
void csv_skip_record(const CsvParser *ps, CsvCursor *cur);

/*
 * Parse the record at cur->p into row `row` of c and advance past its line
 * end. Unescaped copies of quoted text go to `scratch`. Returns EMBER_OK,
 * or EMBER_ERROR / EMBER_NOMEM with *f filled (cur is then unusable).
 */
int csv_parse_record(const CsvParser *ps, CsvCursor *cur, Chunk *c,
                     uint32_t row, Arena *scratch, CsvFail *f);

#endif /* EMBER_CSV_INT_H */
