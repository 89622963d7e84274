/* The smallest complete use of libpocket: load a model, tokenize a prompt, evaluate it, then
 * generate greedily token by token, printing the text as it comes. Uses only <pocket/pocket.h>.
 *
 *   pocket_example_simple [model] [prompt] [n_tokens]
 *
 * model defaults to $POCKET_SHARED/models/stories260K.gguf, else ../shared/models/stories260K.gguf.
 */
#include <pocket/pocket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Generated ids plus the text printed so far. */
typedef struct output {
  int32_t* ids; /* the prompt's ids, then the generated ones */
  size_t n_ids;
  char* text; /* detokenized ids */
  size_t text_cap;
  size_t printed; /* bytes of text already on stdout */
} output;

/* Reports the failed library call (its message names the function and the culprit). */
static int fail(void) {
  fprintf(stderr, "error: %s\n", pocket_last_error());
  return 0;
}

static int out_of_memory(void) {
  fprintf(stderr, "error: out of memory\n");
  return 0;
}

/* Detokenizes all ids into out->text, growing the buffer with the size the library asks for. */
static int detokenize_all(const pocket_model* model, output* out, size_t* len) {
  pocket_status st = pocket_detokenize(model, out->ids, out->n_ids, out->text, out->text_cap, len);
  if (st == POCKET_ERR_BUFFER_TOO_SMALL) {
    char* bigger = realloc(out->text, *len * 2 + 1);
    if (!bigger) return out_of_memory();
    out->text = bigger;
    out->text_cap = *len * 2 + 1;
    st = pocket_detokenize(model, out->ids, out->n_ids, out->text, out->text_cap, len);
  }
  return st == POCKET_OK ? 1 : fail();
}

/* Prints the text that is new since the last call. The whole sequence is decoded each time
 * (cheap at this size) because a token's text depends on its neighbours: SentencePiece drops the
 * space at the start of a text, and a token may end inside a UTF-8 character, which decodes to
 * U+FFFD until the next token completes it. So a trailing U+FFFD is held back unless `final`. */
static int print_new_text(const pocket_model* model, output* out, int final) {
  size_t len = 0;
  if (!detokenize_all(model, out, &len)) return 0;
  size_t end = len;
  while (!final && end >= out->printed + 3 && memcmp(out->text + end - 3, "\xEF\xBF\xBD", 3) == 0) {
    end -= 3;
  }
  if (end > out->printed) {
    fwrite(out->text + out->printed, 1, end - out->printed, stdout);
    fflush(stdout);
    out->printed = end;
  }
  return 1;
}

static const char* default_model_path(char* buf, size_t size) {
  const char* shared = getenv("POCKET_SHARED");
  if (!shared || !*shared) shared = "../shared";
  snprintf(buf, size, "%s/models/stories260K.gguf", shared);
  return buf;
}

int main(int argc, char** argv) {
  char path_buf[4096];
  const char* model_path = argc > 1 ? argv[1] : default_model_path(path_buf, sizeof path_buf);
  const char* prompt = argc > 2 ? argv[2] : "Once upon a time";
  const int n_generate = argc > 3 ? atoi(argv[3]) : 48;

  int ok = 0;
  pocket_model* model = NULL;
  pocket_context* ctx = NULL;
  pocket_sampler* sampler = NULL;
  output out = {NULL, 0, NULL, 0, 0};
  size_t n_prompt = 0;
  int32_t seq = 0;

  if (pocket_model_load(model_path, &model) != POCKET_OK) {
    fail();
    goto done;
  }

  /* Ask for the size first (capacity 0), then tokenize into a buffer with room to generate. */
  pocket_status st = pocket_tokenize(model, prompt, strlen(prompt), 1, 1, NULL, 0, &n_prompt);
  if (st != POCKET_ERR_BUFFER_TOO_SMALL && st != POCKET_OK) {
    fail();
    goto done;
  }
  if (n_prompt == 0) {
    fprintf(stderr, "error: the prompt is empty and the model has no BOS token\n");
    goto done;
  }
  out.ids = malloc((n_prompt + (size_t)(n_generate > 0 ? n_generate : 0)) * sizeof(int32_t));
  if (!out.ids) {
    out_of_memory();
    goto done;
  }
  if (pocket_tokenize(model, prompt, strlen(prompt), 1, 1, out.ids, n_prompt, &n_prompt) !=
      POCKET_OK) {
    fail();
    goto done;
  }
  out.n_ids = n_prompt;

  pocket_context_params cparams = pocket_context_default_params();
  pocket_sampler_params sparams = pocket_sampler_default_params();
  sparams.temperature = 0.0f; /* greedy: the same text on every run */
  if (pocket_context_create(model, cparams, &ctx) != POCKET_OK) {
    fail();
    goto done;
  }
  if (pocket_sampler_create(model, sparams, &sampler) != POCKET_OK) {
    fail();
    goto done;
  }

  /* The prompt in one batch: positions 0..n-1 of sequence 0, logits for the last token only. */
  {
    int32_t* positions = malloc(n_prompt * sizeof(int32_t));
    int32_t* seq_ids = calloc(n_prompt, sizeof(int32_t));
    if (!positions || !seq_ids) {
      free(positions);
      free(seq_ids);
      out_of_memory();
      goto done;
    }
    for (size_t i = 0; i < n_prompt; ++i) positions[i] = (int32_t)i;
    st = pocket_decode(ctx, out.ids, positions, seq_ids, NULL, n_prompt);
    free(positions);
    free(seq_ids);
    if (st != POCKET_OK) {
      fail();
      goto done;
    }
  }

  /* Print the prompt as given; from then on, only text beyond the prompt's own decoding. */
  fputs(prompt, stdout);
  {
    size_t len = 0;
    if (!detokenize_all(model, &out, &len)) goto done;
    out.printed = len;
  }

  for (int i = 0; i < n_generate; ++i) {
    const float* logits = pocket_get_logits(ctx, 0);
    int32_t token = 0;
    if (!logits) {
      fail();
      goto done;
    }
    if (pocket_sample(sampler, logits, &token) != POCKET_OK) {
      fail();
      goto done;
    }
    if (pocket_model_is_eog(model, token)) break;
    out.ids[out.n_ids] = token;
    const int32_t pos = (int32_t)out.n_ids;
    out.n_ids++;
    if (!print_new_text(model, &out, 0)) goto done;
    if (i + 1 == n_generate) break; /* no need to evaluate the last token */
    if (pocket_decode(ctx, &token, &pos, &seq, NULL, 1) != POCKET_OK) {
      fail();
      goto done;
    }
  }
  if (!print_new_text(model, &out, 1)) goto done;
  fputc('\n', stdout);
  ok = 1;

done:
  pocket_sampler_free(sampler);
  pocket_context_free(ctx);
  pocket_model_free(model);
  free(out.ids);
  free(out.text);
  return ok ? 0 : 1;
}
