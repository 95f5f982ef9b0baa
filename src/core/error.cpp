#include "core/error.h"

namespace postern {
namespace {

class PosternCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "postern"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::ok:
        return "ok";
      case Errc::not_found:
        return "not found";
      case Errc::conflict:
        return "conflict";
      case Errc::invalid_argument:
        return "invalid argument";
      case Errc::storage_full:
        return "storage full";
      case Errc::storage_unavailable:
        return "storage unavailable";
      case Errc::shutting_down:
        return "shutting down";
      case Errc::overloaded:
        return "overloaded";
      case Errc::corrupt:
        return "corrupt record";
      case Errc::internal:
        return "internal error";
    }
    return "unknown error";
  }
};

}  // namespace

const boost::system::error_category& postern_category() noexcept {
  static const PosternCategory category;
  return category;
}

}  // namespace postern
