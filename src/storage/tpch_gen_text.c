/*
 * tpch_gen_text.c -- the words and strings of the TPC-H generator.
 *
 * Holds the value lists of Clause 4.2.2.13 (nations, regions, segments,
 * priorities, ship instructions and modes, the syllables of part types
 * and containers, the colours of part names), the weighted word lists and
 * grammar of the pseudo text (Clause 4.2.2.10), and the helpers that turn
 * random numbers into strings.
 *
 * Comments are substrings of one text pool built once per generation from
 * the grammar, so a comment costs two random numbers and no copy: its Str
 * points into the pool until tdata_append copies it into the table heap.
 * Strings assembled per row (names, phones, addresses) are written into
 * the sink's scratch bytes, which live as long as the task's chunks.
 */
#include <stdio.h>

#include "storage/tpch_int.h"

/* ------------------------------------------------------------------------
 * Value lists
 * ------------------------------------------------------------------------ */

const char *const tpch_regions[5] = {"AFRICA", "AMERICA", "ASIA", "EUROPE",
                                     "MIDDLE EAST"};

const char *const tpch_nations[25] = {
    "ALGERIA",      "ARGENTINA",  "BRAZIL",  "CANADA",         "EGYPT",
    "ETHIOPIA",     "FRANCE",     "GERMANY", "INDIA",          "INDONESIA",
    "IRAN",         "IRAQ",       "JAPAN",   "JORDAN",         "KENYA",
    "MOROCCO",      "MOZAMBIQUE", "PERU",    "CHINA",          "ROMANIA",
    "SAUDI ARABIA", "VIETNAM",    "RUSSIA",  "UNITED KINGDOM", "UNITED STATES"};

/* N_REGIONKEY of each nation, in nation key order. */
const int tpch_nation_region[25] = {0, 1, 1, 1, 4, 0, 3, 3, 2, 2, 4, 4, 2,
                                    4, 0, 0, 0, 1, 2, 3, 4, 2, 3, 3, 1};

const char *const tpch_segments[5] = {"AUTOMOBILE", "BUILDING", "FURNITURE",
                                      "HOUSEHOLD", "MACHINERY"};

const char *const tpch_priorities[5] = {"1-URGENT", "2-HIGH", "3-MEDIUM",
                                        "4-NOT SPECIFIED", "5-LOW"};

const char *const tpch_instructions[4] = {"DELIVER IN PERSON", "COLLECT COD",
                                          "TAKE BACK RETURN", "NONE"};

const char *const tpch_modes[7] = {"REG AIR", "AIR", "RAIL", "TRUCK",
                                   "MAIL",    "FOB", "SHIP"};

const char *const tpch_colors[92] = {
    "almond",    "antique",   "aquamarine", "azure",      "beige",
    "bisque",    "black",     "blanched",   "blue",       "blush",
    "brown",     "burlywood", "burnished",  "chartreuse", "chiffon",
    "chocolate", "coral",     "cornflower", "cornsilk",   "cream",
    "cyan",      "dark",      "deep",       "dim",        "dodger",
    "drab",      "firebrick", "floral",     "forest",     "frosted",
    "gainsboro", "ghost",     "goldenrod",  "green",      "grey",
    "honeydew",  "hot",       "indian",     "ivory",      "khaki",
    "lace",      "lavender",  "lawn",       "lemon",      "light",
    "lime",      "linen",     "magenta",    "maroon",     "medium",
    "metallic",  "midnight",  "mint",       "misty",      "moccasin",
    "navajo",    "navy",      "olive",      "orange",     "orchid",
    "pale",      "papaya",    "peach",      "peru",       "pink",
    "plum",      "powder",    "puff",       "purple",     "red",
    "rose",      "rosy",      "royal",      "saddle",     "salmon",
    "sandy",     "seashell",  "sienna",     "sky",        "slate",
    "smoke",     "snow",      "spring",     "steel",      "tan",
    "thistle",   "tomato",    "turquoise",  "violet",     "wheat",
    "white",     "yellow"};

/* P_TYPE is syllable 1, 2 and 3 (6 x 5 x 5 = 150 types); P_CONTAINER is
 * syllable 1 and 2 (5 x 8 = 40). */
static const char *const type_s1[6] = {"STANDARD", "SMALL",   "MEDIUM",
                                       "LARGE",    "ECONOMY", "PROMO"};
static const char *const type_s2[5] = {"ANODIZED", "BURNISHED", "PLATED",
                                       "POLISHED", "BRUSHED"};
static const char *const type_s3[5] = {"TIN", "NICKEL", "BRASS", "STEEL",
                                       "COPPER"};
static const char *const cont_s1[5] = {"SM", "LG", "MED", "JUMBO", "WRAP"};
static const char *const cont_s2[8] = {"CASE", "BOX", "BAG", "JAR",
                                       "PACK", "PKG", "CAN", "DRUM"};

/* Write v as exactly `width` decimal digits (leading zeros). */
static void put_digits(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

int tpch_words_init(TpchCtx *g, Arena *a)
{
    for (int i = 0; i < TPCH_N_TYPES; i++) {
        int n = snprintf(g->type_buf[i], sizeof(g->type_buf[i]), "%s %s %s",
                         type_s1[i / 25], type_s2[i / 5 % 5], type_s3[i % 5]);
        g->types[i] = str_make(g->type_buf[i], (uint32_t)n);
    }
    for (int i = 0; i < TPCH_N_CONTAINERS; i++) {
        int n = snprintf(g->cont_buf[i], sizeof(g->cont_buf[i]), "%s %s",
                         cont_s1[i / 8], cont_s2[i % 8]);
        g->containers[i] = str_make(g->cont_buf[i], (uint32_t)n);
    }
    for (int m = 0; m < 5; m++) {
        int n = snprintf(g->mfgr_buf[m], sizeof(g->mfgr_buf[m]),
                         "Manufacturer#%d", m + 1);
        g->mfgrs[m] = str_make(g->mfgr_buf[m], (uint32_t)n);
        for (int k = 0; k < 5; k++) {
            char b[16];
            n = snprintf(b, sizeof(b), "Brand#%d%d", m + 1, k + 1);
            g->brands[m * 5 + k] = str_make(b, (uint32_t)n); /* inline */
        }
    }
    g->clerks = arena_alloc(a, sizeof(Str) * (size_t)g->n_clerks);
    char *text = arena_alloc(a, 15 * (size_t)g->n_clerks);
    if (g->clerks == NULL || text == NULL)
        return EMBER_NOMEM;
    for (int64_t k = 0; k < g->n_clerks; k++) {
        char *p = text + 15 * k;
        memcpy(p, "Clerk#", 6);
        put_digits(p + 6, k + 1, 9);
        g->clerks[k] = str_make(p, 15);
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Pseudo text (Clause 4.2.2.10): weighted words and a two-level grammar
 * ------------------------------------------------------------------------ */

typedef struct Word {
    const char *text;
    int weight;
} Word;

static const Word nouns[] = {
    {"packages", 40},     {"requests", 40},    {"accounts", 40},
    {"deposits", 40},     {"foxes", 20},       {"ideas", 20},
    {"theodolites", 20},  {"pinto beans", 20}, {"instructions", 20},
    {"dependencies", 10}, {"excuses", 10},     {"platelets", 10},
    {"asymptotes", 10},   {"courts", 5},       {"dolphins", 5},
    {"multipliers", 1},   {"sauternes", 1},    {"warthogs", 1},
    {"frets", 1},         {"dinos", 1},        {"attainments", 1},
    {"somas", 1},         {"Tiresias", 1},     {"patterns", 1},
    {"forges", 1},        {"braids", 1},       {"frays", 1},
    {"warhorses", 1},     {"dugouts", 1},      {"notornis", 1},
    {"epitaphs", 1},      {"pearls", 1},       {"tithes", 1},
    {"waters", 1},        {"orbits", 1},       {"gifts", 1},
    {"sheaves", 1},       {"depths", 1},       {"sentiments", 1},
    {"decoys", 1},        {"realms", 1},       {"pains", 1},
    {"grouches", 1},      {"escapades", 1},    {"hockey players", 1},
};

static const Word verbs[] = {
    {"sleep", 20},  {"wake", 20},  {"are", 20},      {"cajole", 20},
    {"haggle", 20}, {"nag", 10},   {"use", 10},      {"boost", 10},
    {"affix", 5},   {"detect", 5}, {"integrate", 5}, {"maintain", 1},
    {"nod", 1},     {"was", 1},    {"lose", 1},      {"sublate", 1},
    {"solve", 1},   {"thrash", 1}, {"promise", 1},   {"engage", 1},
    {"hinder", 1},  {"print", 1},  {"x-ray", 1},     {"breach", 1},
    {"eat", 1},     {"grow", 1},   {"impress", 1},   {"mold", 1},
    {"poach", 1},   {"serve", 1},  {"run", 1},       {"dazzle", 1},
    {"snooze", 1},  {"doze", 1},   {"unwind", 1},    {"kindle", 1},
    {"play", 1},    {"hang", 1},   {"believe", 1},   {"doubt", 1},
};

static const Word adverbs[] = {
    {"sometimes", 1},  {"always", 1},     {"never", 1},       {"furiously", 50},
    {"slyly", 50},     {"carefully", 50}, {"blithely", 40},   {"quickly", 30},
    {"fluffily", 20},  {"slowly", 1},     {"quietly", 1},     {"ruthlessly", 1},
    {"thinly", 1},     {"closely", 1},    {"doggedly", 1},    {"daringly", 1},
    {"bravely", 1},    {"stealthily", 1}, {"permanently", 1}, {"enticingly", 1},
    {"idly", 1},       {"busily", 1},     {"regularly", 1},   {"finally", 1},
    {"ironically", 1}, {"evenly", 1},     {"boldly", 1},      {"silently", 1},
};

static const Word prepositions[] = {
    {"about", 50},
    {"above", 50},
    {"according to", 50},
    {"across", 50},
    {"after", 50},
    {"against", 40},
    {"along", 40},
    {"alongside of", 30},
    {"among", 30},
    {"around", 20},
    {"at", 10},
    {"atop", 1},
    {"before", 1},
    {"behind", 1},
    {"beneath", 1},
    {"beside", 1},
    {"besides", 1},
    {"between", 1},
    {"beyond", 1},
    {"by", 1},
    {"despite", 1},
    {"during", 1},
    {"except", 1},
    {"for", 1},
    {"from", 1},
    {"in place of", 1},
    {"inside", 1},
    {"instead of", 1},
    {"into", 1},
    {"near", 1},
    {"of", 1},
    {"on", 1},
    {"outside", 1},
    {"over", 1},
    {"past", 1},
    {"since", 1},
    {"through", 1},
    {"throughout", 1},
    {"to", 1},
    {"toward", 1},
    {"under", 1},
    {"until", 1},
    {"up", 1},
    {"upon", 1},
    {"whithout", 1},
    {"with", 1},
    {"within", 1},
};

static const Word auxiliaries[] = {
    {"do", 1},
    {"may", 1},
    {"might", 1},
    {"shall", 1},
    {"will", 1},
    {"would", 1},
    {"can", 1},
    {"could", 1},
    {"should", 1},
    {"ought to", 1},
    {"must", 1},
    {"will have to", 1},
    {"shall have to", 1},
    {"could have to", 1},
    {"should have to", 1},
    {"must have to", 1},
    {"need to", 1},
    {"try to", 1},
};

static const Word terminators[] = {
    {".", 50}, {";", 1}, {":", 1}, {"?", 1}, {"!", 1}, {"--", 1},
};

static const Word adjectives[] = {
    {"special", 20}, {"pending", 20}, {"unusual", 20}, {"express", 20},
    {"furious", 1},  {"sly", 1},      {"careful", 1},  {"blithe", 1},
    {"quick", 1},    {"fluffy", 1},   {"slow", 1},     {"quiet", 1},
    {"ruthless", 1}, {"thin", 1},     {"close", 1},    {"dogged", 1},
    {"daring", 1},   {"brave", 1},    {"stealthy", 1}, {"permanent", 1},
    {"enticing", 1}, {"idle", 1},     {"busy", 1},     {"regular", 50},
    {"final", 40},   {"ironic", 40},  {"even", 30},    {"bold", 20},
    {"silent", 10},
};

/* Sentence forms: N noun phrase, V verb phrase, P prepositional phrase,
 * T terminator. Noun phrases: N noun, J adjective, D adverb, "," a comma
 * after the previous word. Verb phrases: V verb, X auxiliary, D adverb. */
static const Word sentences[] = {
    {"NVT", 3}, {"NVPT", 3}, {"NVNT", 3}, {"NPVNT", 1}, {"NPVPT", 1},
};
static const Word noun_phrases[] = {
    {"N", 10},
    {"JN", 20},
    {"J,JN", 10},
    {"DJN", 50},
};
static const Word verb_phrases[] = {
    {"V", 30},
    {"XV", 1},
    {"VD", 40},
    {"XVD", 1},
};

/* A weighted list made uniform: slot[k] for k uniform in [0, total) is a
 * word index, so each pick is one random number and one load. The largest
 * total weight is 456 (prepositions). */
#define DIST_SLOTS 512

typedef struct Dist {
    const Word *words;
    uint8_t len[64]; /* strlen of each word */
    uint16_t total;
    uint8_t slot[DIST_SLOTS];
} Dist;

static void dist_init(Dist *d, const Word *w, int n)
{
    assert(n <= 64);
    d->words = w;
    d->total = 0;
    for (int i = 0; i < n; i++) {
        d->len[i] = (uint8_t)strlen(w[i].text);
        for (int k = 0; k < w[i].weight; k++) {
            assert(d->total < DIST_SLOTS);
            d->slot[d->total++] = (uint8_t)i;
        }
    }
}

static int dist_pick(const Dist *d, TpchRng *r)
{
    return d->slot[tpch_range(r, 0, d->total - 1)];
}

typedef struct TextDists {
    Dist noun, verb, adverb, prep, aux, term, adj, sentence, np, vp;
} TextDists;

/* Output cursor of the pool; every word is written followed by a space,
 * which a terminator or comma then replaces. */
typedef struct PoolOut {
    char *p;
    size_t n;
} PoolOut;

static void put_word(PoolOut *o, const Dist *d, TpchRng *r)
{
    int i = dist_pick(d, r);
    memcpy(o->p + o->n, d->words[i].text, d->len[i]);
    o->n += d->len[i];
    o->p[o->n++] = ' ';
}

static void put_punct(PoolOut *o, const char *s)
{
    size_t n = strlen(s);
    o->n--; /* the space after the previous word */
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n++] = ' ';
}

static void put_phrase(PoolOut *o, const TextDists *t, const Dist *form,
                       TpchRng *r)
{
    for (const char *c = form->words[dist_pick(form, r)].text; *c; c++) {
        switch (*c) {
        case 'N':
            put_word(o, &t->noun, r);
            break;
        case 'J':
            put_word(o, &t->adj, r);
            break;
        case 'D':
            put_word(o, &t->adverb, r);
            break;
        case 'V':
            put_word(o, &t->verb, r);
            break;
        case 'X':
            put_word(o, &t->aux, r);
            break;
        case ',':
            put_punct(o, ",");
            break;
        default:
            assert(!"bad phrase form");
            break;
        }
    }
}

/* One sentence; writes at most ~200 bytes. */
static void put_sentence(PoolOut *o, const TextDists *t, TpchRng *r)
{
    const char *form = sentences[dist_pick(&t->sentence, r)].text;
    for (const char *c = form; *c; c++) {
        switch (*c) {
        case 'N':
            put_phrase(o, t, &t->np, r);
            break;
        case 'V':
            put_phrase(o, t, &t->vp, r);
            break;
        case 'P':
            put_word(o, &t->prep, r);
            memcpy(o->p + o->n, "the ", 4);
            o->n += 4;
            put_phrase(o, t, &t->np, r);
            break;
        case 'T':
            put_punct(o, terminators[dist_pick(&t->term, r)].text);
            break;
        default:
            assert(!"bad sentence form");
            break;
        }
    }
}

/* Slack past the pool's end for the last sentence: phrases are at most a
 * few words of at most 14 bytes. */
#define POOL_SLACK 512

int tpch_pool_build(TpchCtx *g, Arena *a, size_t len)
{
    TextDists t;
    dist_init(&t.noun, nouns, ARRAY_LEN(nouns));
    dist_init(&t.verb, verbs, ARRAY_LEN(verbs));
    dist_init(&t.adverb, adverbs, ARRAY_LEN(adverbs));
    dist_init(&t.prep, prepositions, ARRAY_LEN(prepositions));
    dist_init(&t.aux, auxiliaries, ARRAY_LEN(auxiliaries));
    dist_init(&t.term, terminators, ARRAY_LEN(terminators));
    dist_init(&t.adj, adjectives, ARRAY_LEN(adjectives));
    dist_init(&t.sentence, sentences, ARRAY_LEN(sentences));
    dist_init(&t.np, noun_phrases, ARRAY_LEN(noun_phrases));
    dist_init(&t.vp, verb_phrases, ARRAY_LEN(verb_phrases));
    PoolOut o;
    o.p = arena_alloc(a, len + POOL_SLACK);
    if (o.p == NULL)
        return EMBER_NOMEM;
    o.n = 0;
    TpchRng r = tpch_rng(TPCH_STREAM_TEXT, 0);
    while (o.n < len)
        put_sentence(&o, &t, &r);
    g->pool = o.p;
    g->pool_len = len;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * String helpers
 * ------------------------------------------------------------------------ */

Str tpch_text(const TpchCtx *g, TpchRng *r, int min, int max)
{
    uint32_t n = (uint32_t)tpch_range(r, min, max);
    size_t off = (size_t)tpch_range(r, 0, (int64_t)(g->pool_len - n));
    return str_make(g->pool + off, n);
}

/* The 64 symbols of v-strings (Clause 4.2.2.7). */
static const char vchars[65] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ, ";

Str tpch_vstring(TpchSink *s, TpchRng *r, int min, int max)
{
    uint32_t n = (uint32_t)tpch_range(r, min, max);
    char *p = tpch_sink_bytes(s, n);
    if (p == NULL)
        return str_make("", 0);
    uint64_t bits = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i % 10 == 0)
            bits = tpch_next(r); /* ten 6-bit symbols per number */
        p[i] = vchars[bits & 63];
        bits >>= 6;
    }
    return str_make(p, n);
}

Str tpch_phone(TpchSink *s, TpchRng *r, int nation)
{
    char *p = tpch_sink_bytes(s, 15);
    if (p == NULL)
        return str_make("", 0);
    put_digits(p, nation + 10, 2);
    p[2] = '-';
    put_digits(p + 3, tpch_range(r, 100, 999), 3);
    p[6] = '-';
    put_digits(p + 7, tpch_range(r, 100, 999), 3);
    p[10] = '-';
    put_digits(p + 11, tpch_range(r, 1000, 9999), 4);
    return str_make(p, 15);
}

Str tpch_key_name(TpchSink *s, const char *prefix, int64_t key)
{
    size_t n = strlen(prefix);
    char *p = tpch_sink_bytes(s, n + 9);
    if (p == NULL)
        return str_make("", 0);
    memcpy(p, prefix, n);
    put_digits(p + n, key, 9);
    return str_make(p, (uint32_t)(n + 9));
}

Str tpch_bbb_comment(TpchSink *s, TpchRng *r, Str c, bool complaint)
{
    static const char head[] = "Customer";
    const char *tail = complaint ? "Complaints" : "Recommends";
    uint32_t fixed = 8 + 10;
    assert(c.len >= fixed);
    char *p = tpch_sink_bytes(s, c.len);
    if (p == NULL)
        return c;
    memcpy(p, str_data(&c), c.len);
    uint32_t gap = (uint32_t)tpch_range(r, 0, c.len - fixed);
    uint32_t at = (uint32_t)tpch_range(r, 0, c.len - fixed - gap);
    memcpy(p + at, head, 8);
    memcpy(p + at + 8 + gap, tail, 10);
    return str_make(p, c.len);
}

Str tpch_part_name(TpchSink *s, TpchRng *r)
{
    int pick[5];
    for (int i = 0; i < 5; i++) {
        bool dup;
        do {
            pick[i] = (int)tpch_range(r, 0, 91);
            dup = false;
            for (int k = 0; k < i; k++)
                dup |= pick[k] == pick[i];
        } while (dup);
    }
    char *p = tpch_sink_bytes(s, 5 * 11);
    if (p == NULL)
        return str_make("", 0);
    uint32_t n = 0;
    for (int i = 0; i < 5; i++) {
        size_t w = strlen(tpch_colors[pick[i]]);
        if (i)
            p[n++] = ' ';
        memcpy(p + n, tpch_colors[pick[i]], w);
        n += (uint32_t)w;
    }
    return str_make(p, n);
}
