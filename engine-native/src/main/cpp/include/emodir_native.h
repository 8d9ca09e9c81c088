/*
 * emodir native engine: masked-channel forward passes of a whole population of pruned sub-networks.
 *
 * Plain C ABI (bound to Java by JavaCPP). The caller owns every buffer; the library never keeps a
 * pointer beyond the call except the weights of a program (kept until emodir_program_destroy).
 *
 * A program is a straight-line list of ops over numbered tensor slots. Slot 0 holds the input batch.
 * Each conv's output channels may belong to a mask group: one gene (one mask byte) per channel;
 * an individual's genome is the concatenation of all groups in group order. Pruned channels are
 * skipped entirely (gathered away), so an individual costs only its kept channels.
 *
 * Every function returning int returns EMODIR_OK or an error code; emodir_last_error() (per thread)
 * then names the op/layer and the sizes involved.
 */
#ifndef EMODIR_NATIVE_H
#define EMODIR_NATIVE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMODIR_OK 0
#define EMODIR_ERR_INVALID_ARGUMENT 1
#define EMODIR_ERR_INVALID_PROGRAM 2
#define EMODIR_ERR_EMPTY_MASK 3
#define EMODIR_ERR_NO_CUDA 4
#define EMODIR_ERR_CUDA 5
#define EMODIR_ERR_OUT_OF_MEMORY 6

/* Op kinds. */
#define EMODIR_OP_CONV 1    /* dst = conv(src, weight[out_c][in_c][k][k]) + bias[out_c] */
#define EMODIR_OP_RELU 2    /* dst = max(src, 0); dst may equal src */
#define EMODIR_OP_ADD 3     /* dst += shortcut(src); stride = spatial subsampling, pad = channel offset (option A) */
#define EMODIR_OP_MAXPOOL 4 /* dst = maxpool(src, kernel, stride, pad) */
#define EMODIR_OP_HEAD 5    /* dst = linear(global_avg_pool(src)); weight[out_c][in_c], bias[out_c] */

#define EMODIR_MAX_SLOTS 8
#define EMODIR_NAME_BYTES 48
#define EMODIR_NUM_OBJECTIVES 3 /* per individual: mse, mean cross-entropy, top-1 correct count */
#define EMODIR_OBJ_MSE 0
#define EMODIR_OBJ_CROSS_ENTROPY 1
#define EMODIR_OBJ_TOP1 2

/* One op, 104 bytes, written by the Java side through a flyweight (field offsets are part of the ABI). */
typedef struct emodir_op {
    int32_t kind;          /*  0 */
    int32_t dst;           /*  4 */
    int32_t src;           /*  8 */
    int32_t in_c;          /* 12 */
    int32_t out_c;         /* 16 */
    int32_t kernel;        /* 20 */
    int32_t stride;        /* 24 */
    int32_t pad;           /* 28 */
    int32_t mask_group;    /* 32: conv only; -1 = all output channels kept */
    int32_t reserved;      /* 36 */
    int64_t weight_offset; /* 40: in floats into the weight blob */
    int64_t bias_offset;   /* 48 */
    char name[EMODIR_NAME_BYTES]; /* 56: NUL-terminated layer name for error messages */
} emodir_op;

typedef struct emodir_program emodir_program;

/* sizeof(emodir_op): lets a binding check its hard-coded layout against the library it loaded. */
int32_t emodir_op_bytes(void);

/*
 * Which clone of the CPU kernels this process runs: "x86-64-v4 (AVX-512)", "x86-64-v3 (AVX2)" or "baseline"
 * (the same test GCC's target_clones resolver makes at load time).
 */
const char* emodir_cpu_kernel_isa(void);

/*
 * FMA peak probe: `threads` threads each run `iterations` x 12 independent 16-lane fused multiply-adds (the
 * widest clone this CPU runs, like the kernels). Returns the fp32 FLOPs done (threads * iterations * 384),
 * -1 on bad arguments; the caller times the call, so FLOPs / seconds is the machine's measured FMA peak.
 */
int64_t emodir_cpu_fma_probe(int32_t threads, int64_t iterations);

/* Conv arithmetic of the CPU backend (emodir_program_set_precision). */
#define EMODIR_PRECISION_FP32 0 /* fp32 operands and accumulation (default) */
#define EMODIR_PRECISION_BF16 1 /* conv weights and inputs rounded to bfloat16, fp32 accumulation */

/*
 * Sets the precision emodir_cpu_evaluate / emodir_cpu_forward use for this program's convs. BF16: weights and
 * conv inputs are rounded to bfloat16 (nearest even), products are accumulated in fp32, bias, ReLU, residual adds,
 * the head and the losses stay fp32. Stride-1 "same" convs run VDPBF16PS where emodir_cpu_bf16_hardware() is 1;
 * other convs, and every conv on a CPU without AVX512_BF16, run the fp32 kernel on the same bf16-rounded operands
 * (same numbers up to summation order, fp32 speed). The CUDA backend ignores the setting (fp32).
 * Returns EMODIR_OK or EMODIR_ERR_INVALID_ARGUMENT. Not thread-safe against concurrent evaluations of the program.
 */
int emodir_program_set_precision(emodir_program* program, int32_t precision);

/* 1 when this CPU runs the bf16 kernel with VDPBF16PS (AVX512_BF16 and AVX512BW), else 0 (bf16 is emulated). */
int emodir_cpu_bf16_hardware(void);

/* Thread-local message of the last failed call ("" if none). */
const char* emodir_last_error(void);

/*
 * Validates the ops (slot shapes, weight ranges, mask group sizes) and returns a program, or NULL
 * with emodir_last_error() set. weights must stay valid until emodir_program_destroy.
 */
emodir_program* emodir_program_create(const emodir_op* ops, int32_t num_ops, const float* weights, int64_t num_weights,
                                      int32_t in_c, int32_t in_h, int32_t in_w, const int32_t* group_sizes,
                                      int32_t num_groups);
void emodir_program_destroy(emodir_program* program);
int32_t emodir_program_num_genes(const emodir_program* program);
/*
 * Floats per image of the program's output (the last op's dst slot) at its DENSE shape. A channel-pruned
 * output (the last tensor belongs to a mask group) is reported as that dense tensor with the dropped
 * channels zero: forward outputs are zero-expanded and the mse runs over the dense size.
 */
int64_t emodir_program_output_size(const emodir_program* program);
int64_t emodir_program_input_size(const emodir_program* program);

/*
 * Evaluates `population` individuals on the same `batch` images.
 *   masks      population * num_genes bytes, individual-major, nonzero = channel kept
 *   input      batch * input_size floats (NCHW)
 *   reference  batch * output_size floats or NULL (then mse = NaN)
 *   labels     batch ints or NULL; used only when the program ends with a HEAD (else ce/top1 = NaN)
 *   objectives population * EMODIR_NUM_OBJECTIVES floats, written per individual
 * An individual whose mask keeps no channel of a group is an error naming the layer.
 */
int emodir_cpu_evaluate(const emodir_program* program, const uint8_t* masks, int32_t population, const float* input,
                        int32_t batch, const float* reference, const int32_t* labels, int32_t threads,
                        float* objectives);

/* Like emodir_cpu_evaluate but writes every output: outputs holds population * batch * output_size floats. */
int emodir_cpu_forward(const emodir_program* program, const uint8_t* masks, int32_t population, const float* input,
                       int32_t batch, int32_t threads, float* outputs);

/*
 * Upper bound of the host scratch bytes emodir_cpu_evaluate allocates for this call shape (per-thread slot,
 * im2col and packed-weight buffers plus per-individual channel lists and per-image losses); -1 on bad
 * arguments. Objectives depend only on the individual, not on how a population is split over calls.
 */
int64_t emodir_cpu_scratch_bytes(const emodir_program* program, int32_t population, int32_t batch, int32_t threads);

/* Device bytes emodir_cuda_evaluate allocates for this call shape; -1 on bad arguments. Needs no GPU. */
int64_t emodir_cuda_scratch_bytes(const emodir_program* program, int32_t population, int32_t batch);

/* Free bytes on CUDA device 0, or -1 with emodir_last_error() set when there is no usable device. */
int64_t emodir_cuda_free_bytes(void);

/* 1 when the library was built with CUDA and a device is visible; else 0 with emodir_last_error() saying why. */
int emodir_cuda_available(void);

/* Same contract as emodir_cpu_evaluate, on CUDA device 0. */
int emodir_cuda_evaluate(const emodir_program* program, const uint8_t* masks, int32_t population, const float* input,
                         int32_t batch, const float* reference, const int32_t* labels, float* objectives);

#ifdef __cplusplus
}
#endif

#endif
