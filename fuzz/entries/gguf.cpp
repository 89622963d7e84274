// GGUF: parse, read every metadata value through every getter, dequantize the first rows of each
// tensor, and hand the file to the model and tokenizer loaders as `pocket run` would.
#include "io/gguf.h"

#include <memory>

#include "model/gguf_model_loader.h"
#include "support.h"
#include "tokenizer/gguf_tokenizer_loader.h"

namespace pocket::fuzz {
namespace {

// Each getter either answers or throws pocket::Error (wrong type); an existing key never reads
// as absent.
void touch_value(const GgufFile& f, const std::string& key) {
  expect(f.has(key), "keys() lists '", key, "' but has() denies it");
  const GgufValueType type = f.type_of(key);
  guarded([&] { expect(f.get_string(key).has_value(), "'", key, "' read as absent"); });
  guarded([&] { expect(f.get_int(key).has_value(), "'", key, "' read as absent"); });
  guarded([&] { expect(f.get_float(key).has_value(), "'", key, "' read as absent"); });
  guarded([&] { expect(f.get_bool(key).has_value(), "'", key, "' read as absent"); });
  guarded([&] { f.get_float_array(key); });
  guarded([&] { f.get_int_array(key); });
  guarded([&] {
    const std::vector<std::string> strings = f.get_string_array(key);
    const std::span<const std::string_view> views = f.string_array_view(key);
    expect(strings.size() == views.size(), "'", key, "': two string array sizes");
    for (size_t i = 0; i < views.size(); ++i) {
      expect(strings[i] == views[i], "'", key, "'[", i, "]: copy and view differ");
    }
  });
  guarded([&] {
    f.array_element_type(key);
    expect(type == GgufValueType::kArray, "'", key, "' has an element type but no array");
  });
}

void touch_file(const std::shared_ptr<const GgufFile>& file) {
  const GgufFile& f = *file;
  for (const std::string& key : f.keys()) touch_value(f, key);
  expect(!f.get_string("no.such.key").has_value(), "an absent key has a value");
  for (const TensorView& t : f.tensors()) {
    expect(f.find_tensor(t.name) == &t, "find_tensor('", t.name, "') finds another tensor");
    dequantize_first_rows(t);
  }
  guarded([&] { load_gguf_model(file); });
  guarded([&] { exercise_tokenizer(Tokenizer(load_gguf_tokenizer(f))); });
}

}  // namespace

void gguf_input(Input data) {
  guarded(
      [&] { touch_file(std::make_shared<const GgufFile>(GgufFile::parse(data, "fuzz.gguf"))); });
}

}  // namespace pocket::fuzz
