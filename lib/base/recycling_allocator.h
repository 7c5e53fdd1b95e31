// An allocator that keeps freed blocks on a per-thread free list, for objects made and dropped
// on every request (std::allocate_shared of an exchange, a proxied request; Recycled<T> for
// make_unique of a plugin run or a plugin's request state): glibc's per-thread
// cache holds only 7 blocks of a size, so with tens of requests in flight most of these went
// through malloc's slower paths.
#ifndef KONG_BASE_RECYCLING_ALLOCATOR_H_
#define KONG_BASE_RECYCLING_ALLOCATOR_H_

#include <cstddef>
#include <new>
#include <vector>

namespace kong::base {
namespace internal {

// Free blocks of one size on this thread. Blocks freed after the thread's cache is gone (thread
// exit) go straight back to operator delete.
template <size_t kSize>
class BlockCache {
 public:
  static constexpr size_t kKept = 256;
  ~BlockCache() {
    alive_ = false;
    for (void* p : free_) ::operator delete(p);
  }
  static BlockCache& ThisThread() {
    // initial-exec: no __tls_get_addr call per block (the library is linked, not dlopen()ed).
    [[gnu::tls_model("initial-exec")]] thread_local BlockCache cache;
    return cache;
  }
  void* Take() {
#if defined(__SANITIZE_ADDRESS__)
    return ::operator new(kSize);  // AddressSanitizer must see every block's use after free
#endif
    if (!alive_ || free_.empty()) return ::operator new(kSize);
    void* p = free_.back();
    free_.pop_back();
    return p;
  }
  void Give(void* p) {
#if defined(__SANITIZE_ADDRESS__)
    ::operator delete(p);
    return;
#endif
    if (!alive_ || free_.size() >= kKept) {
      ::operator delete(p);
      return;
    }
    if (free_.capacity() == 0) free_.reserve(kKept);
    free_.push_back(p);
  }

 private:
  std::vector<void*> free_;
  bool alive_ = true;
};

}  // namespace internal

template <typename T>
class RecyclingAllocator {
 public:
  using value_type = T;
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "blocks come from operator new");

  RecyclingAllocator() = default;
  template <typename U>
  RecyclingAllocator(const RecyclingAllocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(size_t n) {
    if (n != 1) return static_cast<T*>(::operator new(n * sizeof(T)));
    return static_cast<T*>(internal::BlockCache<sizeof(T)>::ThisThread().Take());
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n != 1) {
      ::operator delete(p);
      return;
    }
    internal::BlockCache<sizeof(T)>::ThisThread().Give(p);
  }
  template <typename U>
  bool operator==(const RecyclingAllocator<U>&) const noexcept {
    return true;
  }
};

// The same free lists behind `new T` / `delete` (make_unique): derive T from Recycled<T>.
// Objects of a derived, larger class come from the heap as usual.
template <typename T>
struct Recycled {
  static void* operator new(size_t size) {
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "blocks come from operator new");
    if (size != sizeof(T)) return ::operator new(size);
    return internal::BlockCache<sizeof(T)>::ThisThread().Take();
  }
  static void operator delete(void* p, size_t size) noexcept {
    if (size != sizeof(T)) {
      ::operator delete(p);
      return;
    }
    internal::BlockCache<sizeof(T)>::ThisThread().Give(p);
  }
};

}  // namespace kong::base

#endif  // KONG_BASE_RECYCLING_ALLOCATOR_H_
