/*
 * obs_int.h -- private to obs/: the output file the profile and trace
 * writers stream into, optionally through a gzip compressor (gzip.c).
 *
 * An OutFile owns one buffer of OUT_BUF bytes and a file descriptor. A
 * failed write(2) is remembered, later writes do nothing, and out_close
 * reports the first failure as EMBER_IOERR. Writers therefore check once,
 * at the end: out_write and out_printf cannot fail.
 *
 * With gzip on, bytes go first to a deflate compressor (fixed-Huffman
 * codes over a 32 KiB LZ77 window, or stored blocks when those are
 * smaller), then to the buffer; out_close writes the gzip trailer.
 */
#ifndef EMBER_OBS_INT_H
#define EMBER_OBS_INT_H

#include "obs/profile.h"

/* TUNING: 64 KiB: a profile or a few thousand trace events per write(2). */
#define OUT_BUF (64u * 1024u)

typedef struct Deflate Deflate;

typedef struct OutFile {
    int fd;           /* -1 when closed */
    const char *path; /* the caller's string, for messages */
    char *buf;        /* OUT_BUF bytes, mem_* */
    size_t len;       /* bytes buffered */
    int write_errno;  /* first failed write, 0 if none */
    bool nomem;       /* a formatting buffer could not be had */
    Deflate *gz;      /* non-NULL: compress before buffering */
    uint64_t n_in;    /* bytes given to out_write */
    uint64_t n_out;   /* bytes written to the file */
} OutFile;

/* Create or truncate `path` for writing, gzip-compressed when `gzip`.
 * EMBER_IOERR (`could not write "<path>": <reason>`) or EMBER_NOMEM, and
 * then nothing is left to close. */
int out_open(OutFile *o, const char *path, bool gzip, Err *err);
void out_write(OutFile *o, const void *p, size_t n);
void out_puts(OutFile *o, const char *s);
void out_printf(OutFile *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Finish the gzip stream, flush, close and free, whatever happened
 * before. EMBER_OK, or the first write error (EMBER_IOERR), or
 * EMBER_NOMEM when out_printf had no memory. */
int out_close(OutFile *o, Err *err);

/* CRC-32 of RFC 1952 (polynomial 0xEDB88320) continued over p[0, n):
 * start with crc = 0. */
uint32_t gz_crc32(uint32_t crc, const void *p, size_t n);

#endif /* EMBER_OBS_INT_H */
