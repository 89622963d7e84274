// Safetensors: parse the header and read the first rows of every tensor.
#include "io/safetensors.h"

#include "support.h"

namespace pocket::fuzz {

void safetensors_input(Input data) {
  guarded([&] {
    const SafetensorsFile f = SafetensorsFile::parse(data, "fuzz.safetensors");
    const uint8_t* end = data.data() + data.size();
    for (const TensorView& t : f.tensors()) {
      expect(f.find_tensor(t.name) == &t, "find_tensor('", t.name, "') finds another");
      const auto* begin = static_cast<const uint8_t*>(t.data);
      expect(
          t.nbytes == 0 || (begin >= data.data() && t.nbytes <= static_cast<uint64_t>(end - begin)),
          "tensor '", t.name, "' lies outside the file");
      dequantize_first_rows(t);
    }
  });
}

}  // namespace pocket::fuzz
