/* PocketLLM C API: what an app (JNI on Android, Swift/ObjC on iOS, any C program) links against.
 *
 * Every function that can fail returns a pocket_status; on failure pocket_last_error() gives a
 * message naming what was wrong (thread-local; valid until the next call on that thread).
 * Functions that return a value instead (getters) return -1, 0 or NULL for a NULL handle or a bad
 * argument and set that message too. No C++ exception ever crosses this API.
 * Objects are opaque; free each with its own *_free function (NULL is allowed and ignored).
 * A context holds a reference to its model's data, so freeing the model first is safe: the
 * weights are released with the last context. Threading: a model may be shared by several
 * contexts on several threads; a context (and a sampler) is used by one thread at a time. */
#ifndef POCKET_POCKET_H
#define POCKET_POCKET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define POCKET_API __attribute__((visibility("default")))
#else
#define POCKET_API
#endif

typedef enum pocket_status {
  POCKET_OK = 0,
  POCKET_ERR_INVALID_ARGUMENT = 1, /* a NULL pointer, a bad id, a bad parameter */
  POCKET_ERR_IO = 2,               /* a file cannot be opened or read */
  POCKET_ERR_FORMAT = 3,           /* a file is malformed */
  POCKET_ERR_UNSUPPORTED = 4,      /* well-formed, but not something the engine runs */
  POCKET_ERR_OUT_OF_RANGE = 5,     /* a size or index beyond a limit (e.g. the context is full) */
  POCKET_ERR_INTERNAL = 6,         /* a bug */
  POCKET_ERR_BUFFER_TOO_SMALL = 7, /* the output buffer is too small; the size needed is returned */
  POCKET_ERR_OUT_OF_MEMORY = 8     /* an allocation failed (the model, the KV cache...) */
} pocket_status;

typedef struct pocket_model pocket_model;
typedef struct pocket_context pocket_context;
typedef struct pocket_sampler pocket_sampler;

/* The message of the last failed call on this thread ("" if none). */
POCKET_API const char* pocket_last_error(void);
POCKET_API const char* pocket_version(void);

/* --- models --- */
typedef struct pocket_model_params {
  /* nonzero (the default): repack the weights at load into this CPU's faster layout where it has
     one (AVX-512: Q4_0, Q8_0, our INT4/INT8 g64/g128, F16, BF16; nothing elsewhere), as `pocket
     run` does: faster decode and prefill, a longer load. 0: keep the file's layout. */
  int32_t repack;
  int32_t n_threads; /* threads that repack; 0: all cores */
} pocket_model_params;

POCKET_API pocket_model_params pocket_model_default_params(void);
/* path: a GGUF file or a Hugging Face folder. pocket_model_load uses the default params. */
POCKET_API pocket_status pocket_model_load(const char* path, pocket_model** out_model);
POCKET_API pocket_status pocket_model_load_with_params(const char* path, pocket_model_params params,
                                                       pocket_model** out_model);
POCKET_API void pocket_model_free(pocket_model* model);
/* n_vocab: the length of a row of logits (may exceed the tokenizer's count when padded). */
POCKET_API int32_t pocket_model_n_vocab(const pocket_model* model);
POCKET_API int32_t pocket_model_n_ctx_train(const pocket_model* model);
POCKET_API int32_t pocket_model_bos(const pocket_model* model); /* -1 if none */
POCKET_API int32_t pocket_model_eos(const pocket_model* model); /* -1 if none */
/* Non-zero when the token ends a generation (EOS, <|im_end|>, <|eot_id|>...). */
POCKET_API int pocket_model_is_eog(const pocket_model* model, int32_t token);

/* --- tokenizer --- */
/* Writes the ids when they fit in capacity; *n_tokens always receives the count needed. Returns
 * POCKET_ERR_BUFFER_TOO_SMALL (writing no ids) when capacity is too small: call with tokens = NULL
 * and capacity = 0 to ask for the size. text may be NULL when text_len is 0. add_bos: prepend BOS
 * if the model uses one; parse_special: text like "<｜User｜>" becomes its special token. */
POCKET_API pocket_status pocket_tokenize(const pocket_model* model, const char* text,
                                         size_t text_len, int add_bos, int parse_special,
                                         int32_t* tokens, size_t capacity, size_t* n_tokens);
/* Text of the ids, UTF-8, NUL-terminated; *len receives the byte length needed (without the NUL).
 * Returns POCKET_ERR_BUFFER_TOO_SMALL when capacity < *len + 1, writing only an empty string (if
 * capacity > 0; never a truncated text, which could end inside a UTF-8 character). Special tokens
 * appear as their text. Ids must be in 0..n_vocab-1. A token may end inside a character: decode
 * everything generated so far and print what is new, holding back a trailing U+FFFD. */
POCKET_API pocket_status pocket_detokenize(const pocket_model* model, const int32_t* tokens,
                                           size_t n_tokens, char* text, size_t capacity,
                                           size_t* len);

/* --- chat --- */
typedef struct pocket_chat_message {
  const char* role; /* "system", "user", "assistant", "tool" */
  const char* content;
} pocket_chat_message;

/* Renders messages with the model's chat template (or `format`: "deepseek-r1", "chatml",
 * "llama3"; NULL for the model's own). Output as in pocket_detokenize. The rendered text starts
 * with BOS where the template puts it: tokenize it with add_bos = 0. An unknown format name is
 * POCKET_ERR_INVALID_ARGUMENT; format NULL on a model whose template is missing or not one of
 * those families is POCKET_ERR_UNSUPPORTED (pass a format then). */
POCKET_API pocket_status pocket_chat_apply_template(const pocket_model* model, const char* format,
                                                    const pocket_chat_message* messages,
                                                    size_t n_messages, int add_generation_prompt,
                                                    char* text, size_t capacity, size_t* len);

/* --- contexts and the forward pass --- */
typedef struct pocket_context_params {
  int32_t n_ctx;     /* positions per sequence; 0: the model's (at most 4096) */
  int32_t n_seq_max; /* sequences live at once; 0 means 1 */
  int32_t n_threads; /* 0: all cores */
  int32_t fast_math; /* nonzero: cheaper exp in softmax and SiLU (relative error < 1e-4) */
} pocket_context_params;

POCKET_API pocket_context_params pocket_context_default_params(void);
POCKET_API pocket_status pocket_context_create(const pocket_model* model,
                                               pocket_context_params params,
                                               pocket_context** out_ctx);
POCKET_API void pocket_context_free(pocket_context* ctx);

/* Evaluates n tokens: token i of sequence seq_ids[i] at position positions[i] (the next position
 * of that sequence); logits are kept for token i when want_logits[i] != 0 (want_logits may be
 * NULL: logits for the last token only). A rejected batch leaves the cache unchanged. */
POCKET_API pocket_status pocket_decode(pocket_context* ctx, const int32_t* tokens,
                                       const int32_t* positions, const int32_t* seq_ids,
                                       const int8_t* want_logits, size_t n);
/* Logits (n_vocab floats) of the i-th token of the last decode that asked for them; NULL and an
 * error message when i is out of range or the last decode failed. Valid until the next
 * pocket_decode. */
POCKET_API const float* pocket_get_logits(pocket_context* ctx, int32_t i);
/* Positions held for a sequence (-1 for a bad seq_id), and forgetting positions >= n_keep (to
 * rewind; n_keep beyond the length changes nothing). */
POCKET_API int32_t pocket_seq_length(const pocket_context* ctx, int32_t seq_id);
POCKET_API pocket_status pocket_seq_truncate(pocket_context* ctx, int32_t seq_id, int32_t n_keep);

/* --- sampling --- */
typedef struct pocket_sampler_params {
  float temperature; /* <= 0: greedy */
  int32_t top_k;     /* 0: off */
  float top_p;       /* 1: off */
  float min_p;       /* 0: off */
  float repeat_penalty;
  int32_t repeat_last_n;
  float presence_penalty;
  float frequency_penalty;
  uint64_t seed;
} pocket_sampler_params;

POCKET_API pocket_sampler_params pocket_sampler_default_params(void);
POCKET_API pocket_status pocket_sampler_create(const pocket_model* model,
                                               pocket_sampler_params params,
                                               pocket_sampler** out_sampler);
POCKET_API void pocket_sampler_free(pocket_sampler* sampler);
/* Picks a token from n_vocab logits and remembers it for the penalties. */
POCKET_API pocket_status pocket_sample(pocket_sampler* sampler, const float* logits,
                                       int32_t* out_token);
/* Remembers a token for the penalties without sampling it: feed the prompt, as llama.cpp does. */
POCKET_API pocket_status pocket_sampler_accept(pocket_sampler* sampler, int32_t token);
/* Forgets the remembered tokens and restarts the random sequence from the seed. */
POCKET_API void pocket_sampler_reset(pocket_sampler* sampler);

#ifdef __cplusplus
}
#endif

#endif /* POCKET_POCKET_H */
