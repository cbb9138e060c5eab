/*
 * huff_deflate.c - Huffman-only zlib streams (huff_deflate.h).
 *
 * Stream (RFC 1950): 0x78 0x01, the deflate data, Adler-32 big-endian.
 * Deflate data (RFC 1951), one dynamic-Huffman block per BLOCK_SIZE bytes
 * of input, bits packed from the least significant end:
 *
 *   BFINAL(1) BTYPE=2(2) HLIT=0(5) HDIST=0(5) HCLEN(4)
 *   HCLEN+4 code-length-code lengths (3 bits each, in RFC 1951's order)
 *   258 code lengths (257 literal/EOB codes, one unused distance code of
 *   length 0: "the data is all literals"), each coded with the
 *   code-length code (no run-length symbols: simpler, ~100 bytes a block)
 *   every input byte as a literal, then end-of-block (256)
 *
 * Codes are canonical (RFC 1951 3.2.2); their lengths come from a
 * Huffman tree over the block's byte counts, the counts flattened
 * ((c >> 1) | 1) and the tree rebuilt while it is deeper than the limit
 * (15 bits for literals, 7 for the code-length code). Checkable claim:
 * zlib's uncompress() gives back the input (tests/store/test_huff_deflate.c).
 */
#include "huff_deflate.h"

#include <string.h>
#include <zlib.h>

#define BLOCK_SIZE 65536 /* input bytes per block (one Huffman table each) */
#define N_LIT 257        /* literals 0..255 and end-of-block */
#define EOB 256

size_t hs_huff_deflate_bound(size_t n)
{
    /* at most 15 bits a byte, plus ~260 bytes of block header */
    return 2 * n + 300 * (n / BLOCK_SIZE + 1) + 16;
}

struct bit_writer {
    uint8_t *p;
    uint64_t acc;   /* pending bits, the first ones lowest */
    unsigned n_acc; /* how many (< 32 between calls) */
};

/* Appends the n (<= 32) low bits of bits. */
static inline void put_bits(struct bit_writer *w, uint32_t bits, unsigned n)
{
    w->acc |= (uint64_t)bits << w->n_acc;
    w->n_acc += n;
    if (w->n_acc >= 32) {
        uint32_t out = (uint32_t)w->acc;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(w->p, &out, 4);
#else
        w->p[0] = (uint8_t)out;
        w->p[1] = (uint8_t)(out >> 8);
        w->p[2] = (uint8_t)(out >> 16);
        w->p[3] = (uint8_t)(out >> 24);
#endif
        w->p += 4;
        w->acc >>= 32;
        w->n_acc -= 32;
    }
}

static void flush_bits(struct bit_writer *w)
{
    while (w->n_acc > 0) {
        *w->p++ = (uint8_t)w->acc;
        w->acc >>= 8;
        w->n_acc = w->n_acc > 8 ? w->n_acc - 8 : 0;
    }
    w->acc = 0;
}

/* Huffman code lengths of the n symbols with counts freq[] (0: unused),
 * without a length limit. Heap of node numbers by weight; leaves are the
 * symbols, inner nodes numbered from n up. */
static unsigned tree_lengths(const uint32_t *freq, unsigned n, uint8_t *len)
{
    uint32_t weight[2 * N_LIT];
    uint16_t parent[2 * N_LIT], heap[N_LIT];
    unsigned n_heap = 0, next = n;
    for (unsigned s = 0; s < n; s++) {
        len[s] = 0;
        if (!freq[s])
            continue;
        weight[s] = freq[s];
        /* sift up */
        unsigned i = n_heap++;
        while (i && weight[heap[(i - 1) / 2]] > weight[s]) {
            heap[i] = heap[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        heap[i] = (uint16_t)s;
    }
    if (n_heap == 0)
        return 0;
    if (n_heap == 1) {
        /* one symbol: a complete code needs two of length 1 */
        len[heap[0]] = 1;
        len[heap[0] ? 0 : 1] = 1;
        return 1;
    }
    while (n_heap > 1) {
        uint16_t two[2];
        for (int k = 0; k < 2; k++) {
            two[k] = heap[0];
            uint16_t last = heap[--n_heap];
            unsigned i = 0;
            for (;;) {
                unsigned c = 2 * i + 1;
                if (c >= n_heap)
                    break;
                if (c + 1 < n_heap && weight[heap[c + 1]] < weight[heap[c]])
                    c++;
                if (weight[heap[c]] >= weight[last])
                    break;
                heap[i] = heap[c];
                i = c;
            }
            heap[i] = last;
        }
        unsigned node = next++;
        weight[node] = weight[two[0]] + weight[two[1]];
        parent[two[0]] = parent[two[1]] = (uint16_t)node;
        unsigned i = n_heap++;
        while (i && weight[heap[(i - 1) / 2]] > weight[node]) {
            heap[i] = heap[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        heap[i] = (uint16_t)node;
    }
    /* depths from the root (the last node) down: parents come later */
    uint8_t depth[2 * N_LIT];
    unsigned root = next - 1, max = 0;
    depth[root] = 0;
    for (unsigned k = root; k-- > n;)
        depth[k] = (uint8_t)(depth[parent[k]] + 1);
    for (unsigned s = 0; s < n; s++)
        if (freq[s]) {
            len[s] = (uint8_t)(depth[parent[s]] + 1);
            if (len[s] > max)
                max = len[s];
        }
    return max;
}

static void limited_lengths(const uint32_t *freq, unsigned n, unsigned limit, uint8_t *len)
{
    uint32_t f[N_LIT];
    memcpy(f, freq, n * sizeof *f);
    while (tree_lengths(f, n, len) > limit)
        for (unsigned s = 0; s < n; s++)
            if (f[s])
                f[s] = (f[s] >> 1) | 1;
}

/* Canonical codes for len[], bit-reversed for LSB-first packing. */
static void canonical_codes(const uint8_t *len, unsigned n, uint16_t *code)
{
    unsigned count[16] = {0}, next[16];
    for (unsigned s = 0; s < n; s++)
        count[len[s]]++;
    count[0] = 0;
    unsigned c = 0;
    for (unsigned b = 1; b < 16; b++) {
        c = (c + count[b - 1]) << 1;
        next[b] = c;
    }
    for (unsigned s = 0; s < n; s++) {
        if (!len[s])
            continue;
        unsigned v = next[len[s]]++, r = 0;
        for (unsigned b = 0; b < len[s]; b++)
            r |= ((v >> b) & 1) << (len[s] - 1 - b);
        code[s] = (uint16_t)r;
    }
}

/* The order in which code-length-code lengths are sent (RFC 1951 3.2.7). */
static const uint8_t cl_order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                     11, 4,  12, 3, 13, 2, 14, 1, 15};

static void write_block(struct bit_writer *w, const uint8_t *in, size_t n, int final)
{
    /* four counters per byte value: repeated bytes would otherwise wait
     * on each other's increments */
    uint32_t freq[N_LIT] = {0}, f4[4][256] = {{0}};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f4[0][in[i]]++;
        f4[1][in[i + 1]]++;
        f4[2][in[i + 2]]++;
        f4[3][in[i + 3]]++;
    }
    for (; i < n; i++)
        f4[0][in[i]]++;
    for (unsigned b = 0; b < 256; b++)
        freq[b] = f4[0][b] + f4[1][b] + f4[2][b] + f4[3][b];
    freq[EOB] = 1;
    uint8_t len[N_LIT + 1];
    uint16_t code[N_LIT];
    limited_lengths(freq, N_LIT, 15, len);
    canonical_codes(len, N_LIT, code);
    len[N_LIT] = 0; /* the one distance code: unused */

    uint32_t cl_freq[19] = {0};
    for (unsigned s = 0; s <= N_LIT; s++)
        cl_freq[len[s]]++;
    uint8_t cl_len[19];
    uint16_t cl_code[19];
    limited_lengths(cl_freq, 19, 7, cl_len);
    canonical_codes(cl_len, 19, cl_code);
    unsigned n_cl = 19;
    while (n_cl > 4 && cl_len[cl_order[n_cl - 1]] == 0)
        n_cl--;

    put_bits(w, final ? 1 : 0, 1);
    put_bits(w, 2, 2);
    put_bits(w, 0, 5); /* HLIT: 257 codes */
    put_bits(w, 0, 5); /* HDIST: 1 code */
    put_bits(w, n_cl - 4, 4);
    for (unsigned k = 0; k < n_cl; k++)
        put_bits(w, cl_len[cl_order[k]], 3);
    for (unsigned s = 0; s <= N_LIT; s++)
        put_bits(w, cl_code[len[s]], cl_len[len[s]]);

    uint32_t table[256];
    for (unsigned b = 0; b < 256; b++)
        table[b] = (uint32_t)len[b] << 16 | code[b];
    /* two literals (at most 30 bits) per put */
    for (i = 0; i + 2 <= n; i += 2) {
        uint32_t a = table[in[i]], b = table[in[i + 1]];
        put_bits(w, (a & 0xffff) | (b & 0xffff) << (a >> 16), (a >> 16) + (b >> 16));
    }
    if (i < n)
        put_bits(w, table[in[i]] & 0xffff, table[in[i]] >> 16);
    put_bits(w, code[EOB], len[EOB]);
}

size_t hs_huff_deflate(const uint8_t *in, size_t n, uint8_t *out)
{
    struct bit_writer w = {out + 2, 0, 0};
    out[0] = 0x78; /* deflate, 32 KiB window */
    out[1] = 0x01; /* no dictionary, fastest; (0x78 << 8 | 0x01) % 31 == 0 */
    size_t at = 0;
    do {
        size_t part = n - at < BLOCK_SIZE ? n - at : BLOCK_SIZE;
        write_block(&w, in + at, part, at + part == n);
        at += part;
    } while (at < n);
    flush_bits(&w);
    uLong adler = adler32(adler32(0L, Z_NULL, 0), in, (uInt)n);
    w.p[0] = (uint8_t)(adler >> 24);
    w.p[1] = (uint8_t)(adler >> 16);
    w.p[2] = (uint8_t)(adler >> 8);
    w.p[3] = (uint8_t)adler;
    return (size_t)(w.p + 4 - out);
}
