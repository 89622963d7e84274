// A non-owning reference to a callable, for parameters that are called during the call only
// (C++26's std::function_ref). std::function would copy a lambda that captures more than two
// pointers to the heap on every call: the forward pass passes such lambdas to the thread pool
// hundreds of times per token, and a token must not allocate (docs/ARCHITECTURE.md, memory).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace pocket {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  // The callable must outlive every call made through this reference.
  template <typename F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
           std::is_invocable_r_v<R, F&, Args...>) FunctionRef(F&& f)
  noexcept  // NOLINT(google-explicit-constructor): used like std::function
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace pocket
