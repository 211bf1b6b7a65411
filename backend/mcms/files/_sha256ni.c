/* SHA-256 with the x86 SHA extensions, for the upload receiver (sha256x.py).
 *
 * Why not hashlib: every uploaded byte is hashed twice, for the chunk's
 * Upload-Checksum and for the whole file's name in the store. Over the same
 * bytes at the same block alignment the two hashes share their message
 * schedule, and the SHA round instruction is latency-bound, so running the
 * rounds of both states side by side costs about 1.5 times one hash instead
 * of 2 (docs/performance.md, "Both hashes in one pass"). And one call hashes
 * a whole batch of pieces with the GIL released once, where hashlib needs a
 * call (and a GIL round trip) per piece and hash.
 *
 * The hash context lives in a bytearray owned by Python (struct sha256_ctx),
 * so copying a state is copying 112 bytes; padding and the digest are done
 * in Python. supported() says whether this CPU has the instructions; without
 * them (or without this module) sha256x.py falls back to hashlib.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

struct sha256_ctx {
    uint32_t state[8];
    uint8_t buf[64];
    uint64_t buffered; /* bytes in buf, 0..63 */
    uint64_t total;    /* bytes hashed so far, buffered ones included */
};

static const uint32_t K[64] __attribute__((aligned(16))) = {
    0x428a2f98u,
    0x71374491u,
    0xb5c0fbcfu,
    0xe9b5dba5u,
    0x3956c25bu,
    0x59f111f1u,
    0x923f82a4u,
    0xab1c5ed5u,
    0xd807aa98u,
    0x12835b01u,
    0x243185beu,
    0x550c7dc3u,
    0x72be5d74u,
    0x80deb1feu,
    0x9bdc06a7u,
    0xc19bf174u,
    0xe49b69c1u,
    0xefbe4786u,
    0x0fc19dc6u,
    0x240ca1ccu,
    0x2de92c6fu,
    0x4a7484aau,
    0x5cb0a9dcu,
    0x76f988dau,
    0x983e5152u,
    0xa831c66du,
    0xb00327c8u,
    0xbf597fc7u,
    0xc6e00bf3u,
    0xd5a79147u,
    0x06ca6351u,
    0x14292967u,
    0x27b70a85u,
    0x2e1b2138u,
    0x4d2c6dfcu,
    0x53380d13u,
    0x650a7354u,
    0x766a0abbu,
    0x81c2c92eu,
    0x92722c85u,
    0xa2bfe8a1u,
    0xa81a664bu,
    0xc24b8b70u,
    0xc76c51a3u,
    0xd192e819u,
    0xd6990624u,
    0xf40e3585u,
    0x106aa070u,
    0x19a4c116u,
    0x1e376c08u,
    0x2748774cu,
    0x34b0bcb5u,
    0x391c0cb3u,
    0x4ed8aa4au,
    0x5b9cca4fu,
    0x682e6ff3u,
    0x748f82eeu,
    0x78a5636fu,
    0x84c87814u,
    0x8cc70208u,
    0x90befffau,
    0xa4506cebu,
    0xbef9a3f7u,
    0xc67178f2u
};

/* The state as the SHA instructions want it: ABEF and CDGH. */
#define LOAD_STATE(st, S0, S1) do { \
    __m128i t_ = _mm_loadu_si128((const __m128i *)&(st)[0]); \
    S1 = _mm_loadu_si128((const __m128i *)&(st)[4]); \
    t_ = _mm_shuffle_epi32(t_, 0xB1); \
    S1 = _mm_shuffle_epi32(S1, 0x1B); \
    S0 = _mm_alignr_epi8(t_, S1, 8); \
    S1 = _mm_blend_epi16(S1, t_, 0xF0); \
} while (0)

#define STORE_STATE(st, S0, S1) do { \
    __m128i t_ = _mm_shuffle_epi32(S0, 0x1B); \
    S1 = _mm_shuffle_epi32(S1, 0xB1); \
    S0 = _mm_blend_epi16(t_, S1, 0xF0); \
    S1 = _mm_alignr_epi8(S1, t_, 8); \
    _mm_storeu_si128((__m128i *)&(st)[0], S0); \
    _mm_storeu_si128((__m128i *)&(st)[4], S1); \
} while (0)

/* Message words 4k..4k+3 from the 16 before them (W holds the last 16). */
#define SCHEDULE(W, k) \
    W[(k) & 3] = _mm_sha256msg2_epu32( \
        _mm_add_epi32(_mm_sha256msg1_epu32(W[(k) & 3], W[((k) + 1) & 3]), \
                      _mm_alignr_epi8(W[((k) + 3) & 3], W[((k) + 2) & 3], 4)), \
        W[((k) + 3) & 3])

#define LOAD_BLOCK(W, data, mask) do { \
    for (int i_ = 0; i_ < 4; i_++) \
        W[i_] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)((data) + 16 * i_)), mask); \
} while (0)

#define BSWAP_MASK _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL)

__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_one(uint32_t *state, const uint8_t *data, size_t blocks)
{
    const __m128i mask = BSWAP_MASK;
    __m128i s0, s1, w[4];
    LOAD_STATE(state, s0, s1);
    for (; blocks; blocks--, data += 64) {
        __m128i a0 = s0, a1 = s1;
        LOAD_BLOCK(w, data, mask);
#pragma GCC unroll 16
        for (int k = 0; k < 16; k++) {
            if (k >= 4)
                SCHEDULE(w, k);
            __m128i m = _mm_add_epi32(w[k & 3], _mm_load_si128((const __m128i *)&K[4 * k]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, m);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
        }
        s0 = _mm_add_epi32(s0, a0);
        s1 = _mm_add_epi32(s1, a1);
    }
    STORE_STATE(state, s0, s1);
}

/* Two states over the same blocks: one message schedule, rounds interleaved. */
__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_two(uint32_t *state_a, uint32_t *state_b, const uint8_t *data, size_t blocks)
{
    const __m128i mask = BSWAP_MASK;
    __m128i s0, s1, t0, t1, w[4];
    LOAD_STATE(state_a, s0, s1);
    LOAD_STATE(state_b, t0, t1);
    for (; blocks; blocks--, data += 64) {
        __m128i a0 = s0, a1 = s1, b0 = t0, b1 = t1;
        LOAD_BLOCK(w, data, mask);
#pragma GCC unroll 16
        for (int k = 0; k < 16; k++) {
            if (k >= 4)
                SCHEDULE(w, k);
            __m128i m = _mm_add_epi32(w[k & 3], _mm_load_si128((const __m128i *)&K[4 * k]));
            __m128i h = _mm_shuffle_epi32(m, 0x0E);
            s1 = _mm_sha256rnds2_epu32(s1, s0, m);
            t1 = _mm_sha256rnds2_epu32(t1, t0, m);
            s0 = _mm_sha256rnds2_epu32(s0, s1, h);
            t0 = _mm_sha256rnds2_epu32(t0, t1, h);
        }
        s0 = _mm_add_epi32(s0, a0); s1 = _mm_add_epi32(s1, a1);
        t0 = _mm_add_epi32(t0, b0); t1 = _mm_add_epi32(t1, b1);
    }
    STORE_STATE(state_a, s0, s1);
    STORE_STATE(state_b, t0, t1);
}

/* Feed bytes to one context. */
static void feed_one(struct sha256_ctx *ctx, const uint8_t *data, size_t len)
{
    ctx->total += len;
    if (ctx->buffered) {
        size_t take = 64 - ctx->buffered < len ? 64 - ctx->buffered : len;
        memcpy(ctx->buf + ctx->buffered, data, take);
        ctx->buffered += take;
        data += take;
        len -= take;
        if (ctx->buffered < 64)
            return;
        blocks_one(ctx->state, ctx->buf, 1);
        ctx->buffered = 0;
    }
    if (len >= 64) {
        blocks_one(ctx->state, data, len / 64);
        data += len & ~(size_t)63;
        len &= 63;
    }
    memcpy(ctx->buf, data, len);
    ctx->buffered = len;
}

/* Feed the same bytes to two contexts. While they are aligned alike, the
 * whole blocks go through blocks_two; the partial blocks at either end (at
 * most one each) go through feed_one, context by context. */
static void feed_two(struct sha256_ctx *a, struct sha256_ctx *b, const uint8_t *data, size_t len)
{
    if (a->buffered != b->buffered || len < 64) {
        feed_one(a, data, len);
        feed_one(b, data, len);
        return;
    }
    size_t head = a->buffered ? 64 - a->buffered : 0; /* completes the buffered block */
    feed_one(a, data, head);
    feed_one(b, data, head);
    data += head;
    len -= head;
    size_t whole = len & ~(size_t)63;
    blocks_two(a->state, b->state, data, whole / 64);
    a->total += whole;
    b->total += whole;
    feed_one(a, data + whole, len - whole);
    feed_one(b, data + whole, len - whole);
}

static int cpu_has_sha(void)
{
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b & (1u << 29)) != 0; /* CPUID.(EAX=7,ECX=0):EBX.SHA */
}

#define GIL_FREE_BYTES 8192 /* below this, releasing the GIL costs more than it saves */

static int context_of(PyObject *object, Py_buffer *view, struct sha256_ctx **ctx)
{
    if (PyObject_GetBuffer(object, view, PyBUF_WRITABLE) < 0)
        return -1;
    if (view->len != (Py_ssize_t)sizeof(struct sha256_ctx)) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "not a hash context");
        return -1;
    }
    *ctx = (struct sha256_ctx *)view->buf;
    return 0;
}

/* update(ctx, other_ctx_or_None, pieces): feed every piece (bytes-like) to
 * one or both contexts, in order. */
static PyObject *update(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *first, *second, *pieces;
    if (!PyArg_ParseTuple(args, "OOO:update", &first, &second, &pieces))
        return NULL;
    PyObject *sequence = PySequence_Fast(pieces, "pieces must be a sequence");
    if (sequence == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(sequence);
    Py_buffer ctx_views[2];
    struct sha256_ctx *a = NULL, *b = NULL;
    Py_buffer *views = PyMem_Calloc(count ? count : 1, sizeof(Py_buffer));
    Py_ssize_t held = 0, total = 0;
    PyObject *result = NULL;
    if (views == NULL) {
        PyErr_NoMemory();
        goto done_sequence;
    }
    if (context_of(first, &ctx_views[0], &a) < 0)
        goto done_views;
    if (second != Py_None && context_of(second, &ctx_views[1], &b) < 0)
        goto done_first;
    if (b == a) {
        PyErr_SetString(PyExc_ValueError, "the two contexts must differ");
        goto done_second;
    }
    for (; held < count; held++) {
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(sequence, held), &views[held], PyBUF_SIMPLE) < 0)
            goto done_pieces;
        total += views[held].len;
    }
    PyThreadState *released = total >= GIL_FREE_BYTES ? PyEval_SaveThread() : NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (b != NULL)
            feed_two(a, b, views[i].buf, (size_t)views[i].len);
        else
            feed_one(a, views[i].buf, (size_t)views[i].len);
    }
    if (released != NULL)
        PyEval_RestoreThread(released);
    Py_INCREF(Py_None);
    result = Py_None;
done_pieces:
    for (Py_ssize_t i = 0; i < held; i++)
        PyBuffer_Release(&views[i]);
done_second:
    if (b != NULL)
        PyBuffer_Release(&ctx_views[1]);
done_first:
    PyBuffer_Release(&ctx_views[0]);
done_views:
    PyMem_Free(views);
done_sequence:
    Py_DECREF(sequence);
    return result;
}

static PyObject *supported(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyBool_FromLong(cpu_has_sha());
}

#else /* not x86: the module loads and says it cannot help */

static PyObject *update(PyObject *self, PyObject *args)
{
    PyErr_SetString(PyExc_RuntimeError, "no SHA extensions on this CPU");
    return NULL;
}

static PyObject *supported(PyObject *self, PyObject *unused)
{
    Py_RETURN_FALSE;
}

#endif

static PyMethodDef methods[] = {
    {"update", update, METH_VARARGS, "update(ctx, other_ctx_or_None, pieces)"},
    {"supported", supported, METH_NOARGS, "Whether this CPU has the SHA extensions."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sha256ni", "SHA-256 with the x86 SHA extensions.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__sha256ni(void)
{
    return PyModule_Create(&module);
}
