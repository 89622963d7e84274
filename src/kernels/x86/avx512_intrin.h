// <immintrin.h> for the AVX-512 files. GCC 12's AVX-512 headers build "undefined" vectors as
// `__m512 __Y = __Y;`, which -Wuninitialized / -Wmaybe-uninitialized report at every inlined use
// (GCC bug 105593, fixed in GCC 13), breaking -Werror builds. The pragmas are location-based, so
// silencing them around the include silences only the warnings located in the intrinsic headers.
// Include this before anything else that includes <immintrin.h>.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif
