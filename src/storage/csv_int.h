/*
 * csv_int.h -- private to the CSV reader: the record parser (csv_parse.c)
 * and the driver that reads the file in byte ranges, reserves each range's
 * rows in the table in file order and has them parsed in parallel
 * (csv_read.c).
 *
 * A range is parsed record by record into the rows of a Chunk whose
 * vectors point straight into the table's row group arrays. Field text is
 * converted from the read buffer: numbers and dates in place, strings
 * inline in their Str when short and otherwise copied once into the
 * worker's string heap, which the table adopts when the load succeeds.
 */
#ifndef EMBER_CSV_INT_H
#define EMBER_CSV_INT_H

#include "storage/storage.h"

/* Room for the reason of a failed record, without the "path:line:col: "
 * prefix that the driver adds. */
#define CSV_REASON_CAP 300

/* TUNING: the reader cuts files into ranges of 1 MiB. A range's bytes are
 * read, counted and parsed while they are still in L2/L3, and SF 1
 * lineitem.tbl (772 MB) gives 737 ranges, so two threads balance well
 * while the per-range hand-off (one lock, one tdata_extend) stays far
 * below 1% of the time. 256 KiB and 4 MiB measured the same within the
 * noise of a busy 2-core VM. Tests put records and errors at the cuts. */
#define CSV_RANGE_BYTES (1u << 20)

/* Readable bytes the fast parser needs after the end of the data. */
#define CSV_READ_PAD 64

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

/* The position of one task in the bytes it has read. */
typedef struct CsvCursor {
    const char *p;   /* next byte to read */
    const char *end; /* end of the records (after a '\n' or at EOF) */
    uint64_t line;   /* '\n' bytes consumed since the cursor started */
} CsvCursor;

/* Why and where a record failed; code EMBER_OK while it has not. */
typedef struct CsvFail {
    int code;      /* EMBER_ERROR (bad data), EMBER_NOMEM, EMBER_IOERR */
    uint64_t line; /* line of the failing field, 0-based from the cursor
                      start; the driver makes it absolute */
    int col;       /* 1-based field number */
    char reason[CSV_REASON_CAP];
} CsvFail;

/* Fill the derived tables of ps (after the other fields are set). */
void csv_parser_init(CsvParser *ps);

/* Skip one record without converting it (the header line). */
void csv_skip_record(const CsvParser *ps, CsvCursor *cur);

/*
 * Parse the record at cur->p into row `row` of c and advance past its line
 * end. Every column's slot is written (zeros under a NULL, with the bit
 * cleared in the vector's validity). Strings longer than STR_INLINE bytes
 * are copied into `heap` (unescaped text is built there directly), so
 * nothing refers to the read buffer afterwards. Returns EMBER_OK, or
 * EMBER_ERROR / EMBER_NOMEM with *f filled (cur is then unusable).
 */
int csv_parse_record(const CsvParser *ps, CsvCursor *cur, Chunk *c,
                     uint32_t row, StrHeap *heap, CsvFail *f);

/*
 * Parse n records of a file without quoting (ps->quoting false) into rows
 * [0, n) of c, as n calls of csv_parse_record would, but faster: fields
 * are found a 64-byte block at a time and plain spellings converted
 * without calls. Reads up to CSV_READ_PAD bytes past cur->end, which must
 * be readable. Same results and errors as csv_parse_record.
 */
int csv_parse_plain(const CsvParser *ps, CsvCursor *cur, Chunk *c, uint32_t n,
                    StrHeap *heap, CsvFail *f);

#endif /* EMBER_CSV_INT_H */
