// Gumbo's parse within the nesting guard and a memory budget (see
// gumbo_tree.h).
#include "mime/detail/gumbo_tree.h"

#include <csetjmp>
#include <cstdlib>
#include <memory>
#include <vector>

#include "core/utf8.h"
#include "mime/detail/nesting_guard.h"

namespace postern::mime::detail {

// Past the budget the allocator jumps back to parse_within_budget (below,
// through C frames of Gumbo's only: nothing is skipped that would need
// destroying).
class GumboTree::Arena {
 public:
  explicit Arena(std::size_t budget) : budget_(budget) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    for (void* block : blocks_) std::free(block);
  }

  static void* allocate(void* self, size_t size) {
    auto& arena = *static_cast<Arena*>(self);
    arena.used_ += size;
    if (arena.used_ > arena.budget_) std::longjmp(arena.over_budget_, 1);
    if (arena.blocks_.size() == arena.blocks_.capacity()) {  // grows before malloc, never after
      arena.blocks_.reserve(2 * arena.blocks_.size() + 64);
    }
    void* block = std::malloc(size == 0 ? 1 : size);
    if (block == nullptr) std::abort();  // as Gumbo's own allocator does
    arena.blocks_.push_back(block);
    return block;
  }
  static void deallocate(void*, void*) {}  // freed with the arena

  std::jmp_buf over_budget_;

 private:
  std::size_t budget_;
  std::size_t used_ = 0;
  std::vector<void*> blocks_;
};

namespace {

// A tree takes Gumbo some ten times its source; this leaves room for any
// real message, and bounds a hostile one's memory and time.
std::size_t parse_budget(std::size_t input_size) { return 64 * 1024 * 1024 + 32 * input_size; }

// Gumbo's parse, or nullptr when it went over the arena's budget. Holds no
// object with a destructor, so that longjmp back into it skips none.
GumboOutput* parse_within_budget(const GumboOptions& options, const std::string& input,
                                 std::jmp_buf& over_budget) {
  if (setjmp(over_budget) != 0) return nullptr;
  return gumbo_parse_with_options(&options, input.data(), input.size());
}

}  // namespace

GumboTree::GumboTree(std::string_view html)
    : input_(bound_nesting(valid_utf8(html))),
      arena_(std::make_unique<Arena>(parse_budget(input_.size()))) {
  GumboOptions gumbo = kGumboDefaultOptions;
  gumbo.allocator = &Arena::allocate;
  gumbo.deallocator = &Arena::deallocate;
  gumbo.userdata = arena_.get();
  gumbo.max_errors = 0;  // parse errors are not reported, only repaired
  output_ = parse_within_budget(gumbo, input_, arena_->over_budget_);
}

GumboTree::~GumboTree() = default;

const GumboNode* child_element(const GumboNode& parent, GumboTag tag) {
  const GumboVector& children = parent.v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == tag) return child;
  }
  return nullptr;
}

std::string_view text_of(const GumboNode& node) {
  return node.v.text.text != nullptr ? std::string_view(node.v.text.text) : std::string_view();
}

}  // namespace postern::mime::detail
