// An allocator that keeps freed blocks on a per-thread free list, for objects made and dropped
// on every request (std::allocate_shared of an exchange, a proxied request; Recycled<T> for
// make_unique of a plugin run or a plugin's request state): glibc's per-thread
// cache holds only 7 blocks of a size, so with tens of requests in flight most of these went
// through malloc's slower paths.
#ifndef KONG_BASE_RECYCLING_ALLOCATOR_H_
#define KONG_BASE_RECYCLING_ALLOCATOR_H_

#include <cstddef>
#include <new>

namespace kong::base {
namespace internal {

// Free blocks of one size on this thread. The per-thread state is a zero-initialized, trivially
// destructible slot, so reaching it is one thread-pointer-relative load (initial-exec, no
// guard variable, no __tls_get_addr: the library is linked, not dlopen()ed); the array of
// kept blocks is allocated, and its release at thread exit registered, on the first Give.
// Blocks freed after the thread's list is gone (thread exit) go straight to operator delete.
template <size_t kSize>
class BlockCache {
 public:
  static constexpr size_t kKept = 256;

  static void* Take() {
#if defined(__SANITIZE_ADDRESS__)
    return ::operator new(kSize);  // AddressSanitizer must see every block's use after free
#endif
    Slot& s = slot_;
    if (s.count == 0) return ::operator new(kSize);
    return s.blocks[--s.count];
  }
  static void Give(void* p) {
#if defined(__SANITIZE_ADDRESS__)
    ::operator delete(p);
    return;
#endif
    Slot& s = slot_;
    if ((s.blocks == nullptr && !Adopt(s)) || s.count >= kKept) {
      ::operator delete(p);
      return;
    }
    s.blocks[s.count++] = p;
  }

 private:
  struct Slot {
    void** blocks;  // kKept entries once adopted
    size_t count;
    bool gone;      // the thread is exiting: no list any more
  };
  // Frees the thread's kept blocks when the thread exits.
  struct Reaper {
    ~Reaper() {
      Slot& s = slot_;
      for (size_t i = 0; i < s.count; ++i) ::operator delete(s.blocks[i]);
      delete[] s.blocks;
      s = Slot{nullptr, 0, true};
    }
  };
  // The first Give on a thread (cold): the array, and a Reaper for the thread's exit. Give
  // runs inside noexcept deallocation: without memory for the array, blocks are just freed.
  [[gnu::noinline]] static bool Adopt(Slot& s) {
    if (s.gone) return false;
    // Constructed (its destructor registered) when control first passes here on this thread.
    [[maybe_unused]] thread_local Reaper reaper;
    s.blocks = new (std::nothrow) void*[kKept];
    return s.blocks != nullptr;
  }

  [[gnu::tls_model("initial-exec")]] static inline constinit thread_local Slot slot_{};
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
    return static_cast<T*>(internal::BlockCache<sizeof(T)>::Take());
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n != 1) {
      ::operator delete(p);
      return;
    }
    internal::BlockCache<sizeof(T)>::Give(p);
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
    return internal::BlockCache<sizeof(T)>::Take();
  }
  static void operator delete(void* p, size_t size) noexcept {
    if (size != sizeof(T)) {
      ::operator delete(p);
      return;
    }
    internal::BlockCache<sizeof(T)>::Give(p);
  }
};

}  // namespace kong::base

#endif  // KONG_BASE_RECYCLING_ALLOCATOR_H_
