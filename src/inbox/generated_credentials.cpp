#include "inbox/generated_credentials.h"

#include <fmt/format.h>
#include <sodium.h>

#include <array>

namespace postern::inbox {
namespace {

// Hand-written word lists: there is no word list library on the machine
// worth a dependency for 128 words. Each list has 64 short, common,
// inoffensive words; changing their count changes only how many names exist.
constexpr std::array<std::string_view, 64> kAdjectives = {
    "amber",  "azure",  "bold",   "brave",  "breezy",  "bright", "brisk",  "calm",
    "candid", "cheery", "clever", "cosy",   "crisp",   "curly",  "dapper", "daring",
    "eager",  "early",  "fair",   "fancy",  "fleet",   "fluffy", "frank",  "fresh",
    "gentle", "giddy",  "glad",   "golden", "grand",   "happy",  "hardy",  "honest",
    "humble", "jolly",  "keen",   "kind",   "lively",  "lucky",  "mellow", "merry",
    "mighty", "modest", "nimble", "noble",  "patient", "plucky", "polite", "proud",
    "quick",  "quiet",  "rapid",  "ready",  "rosy",    "silver", "sleek",  "smart",
    "snug",   "steady", "sunny",  "swift",  "tidy",    "vivid",  "warm",   "witty"};
constexpr std::array<std::string_view, 64> kNouns = {
    "badger", "beaver", "bison",  "cedar",  "comet",  "coral",  "crane",   "dolphin",
    "eagle",  "falcon", "fern",   "finch",  "fox",    "gecko",  "heron",   "hazel",
    "ibis",   "iris",   "jaguar", "koala",  "lark",   "lemur",  "lily",    "lynx",
    "maple",  "marten", "meadow", "mole",   "moose",  "newt",   "oak",     "orca",
    "otter",  "owl",    "panda",  "pebble", "pine",   "plover", "puffin",  "quail",
    "raven",  "reed",   "river",  "robin",  "salmon", "seal",   "sparrow", "spruce",
    "stoat",  "swan",   "thrush", "tiger",  "toucan", "trout",  "tulip",   "turtle",
    "viper",  "walrus", "willow", "wombat", "wren",   "yak",    "zebra",   "zinnia"};

// Digits and letters without 0/O, 1/l/I: read aloud or copied by hand, a
// password should survive.
constexpr std::string_view kPasswordAlphabet =
    "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
constexpr std::size_t kPasswordLength = 24;

template <class List>
std::string_view pick(const List& words) {
  return words[randombytes_uniform(static_cast<std::uint32_t>(words.size()))];
}

}  // namespace

std::string generate_user_name() {
  return fmt::format("{}-{}-{:04}", pick(kAdjectives), pick(kNouns), randombytes_uniform(10000));
}

std::string generate_password() {
  std::string out(kPasswordLength, ' ');
  for (auto& c : out)
    c = kPasswordAlphabet[randombytes_uniform(
        static_cast<std::uint32_t>(kPasswordAlphabet.size()))];
  return out;
}

}  // namespace postern::inbox
