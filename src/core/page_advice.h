// Advice to the kernel about mapped file pages: what the weight loader and streamer use to
// control what is resident. All are hints: a failure leaves memory correct, only slower or
// bigger, so they do not throw (they return false where the caller may want to say so).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pocket {

// Maps the pages of [p, p + n) into this process (reading them from the file if they are not in
// the page cache), so that later reads do not fault. Returns false if it could not.
bool populate_pages(const void* p, size_t n);
// Unmaps from this process the whole pages inside [p, p + n) of a read-only file mapping (a later
// read faults them in again from the file or page cache), so they stop counting in its resident
// memory. Pages shared with bytes outside the range are kept. Returns false if it could not.
// Only for file mappings: anonymous pages would come back as zeros.
bool release_pages(const void* p, size_t n);
// Drops a file's clean pages from the page cache (for cold-start measurements). Returns false
// when the kernel refused.
bool drop_file_cache(const std::string& path);
// Fraction (0..1) of a file's pages that are in the page cache, or -1 when unknown.
double file_cached_fraction(const std::string& path);

// This process's resident memory now (VmRSS) and its peak (VmHWM), in bytes; 0 when unknown.
uint64_t resident_bytes();
uint64_t peak_resident_bytes();
// Restarts the peak (VmHWM) from the current resident memory; false when the kernel refused.
bool reset_peak_resident();

}  // namespace pocket
