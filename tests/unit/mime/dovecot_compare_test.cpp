// The strongest check of the IMAP structure: every sample message is put in
// a private maildir and Dovecot's own imap process (Debian's dovecot-imapd,
// run in PREAUTH mode on a pipe, no network, no daemon) answers FETCH
// ENVELOPE, BODYSTRUCTURE, BODY and a list of BODY[section]<partial>; our
// answers must be the same bytes. Skipped only where Dovecot is not
// installed (scripts/bootstrap.sh installs it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "imap_samples.h"
#include "mime/imap_section.h"
#include "mime/imap_string.h"
#include "mime/imap_structure.h"
#include "support/temp_dir.h"

namespace postern::mime {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDovecotImap = "/usr/lib/dovecot/imap";

// The sections asked of every message; parts that do not exist included.
const std::vector<std::string> kSections = {"",
                                            "HEADER",
                                            "TEXT",
                                            "1",
                                            "1.MIME",
                                            "2",
                                            "2.MIME",
                                            "2.1",
                                            "2.2",
                                            "2.HEADER",
                                            "2.TEXT",
                                            "1.1",
                                            "2.1.MIME",
                                            "3",
                                            "HEADER.FIELDS (FROM SUBJECT)",
                                            "HEADER.FIELDS.NOT (FROM TO)",
                                            "2.HEADER.FIELDS (SUBJECT)"};

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string fetch_items() {
  std::string items = "ENVELOPE BODYSTRUCTURE BODY";
  for (const auto& s : kSections) items += " BODY.PEEK[" + s + "]";
  items += " BODY.PEEK[TEXT]<2.5>";
  return items;
}

// What a server answers to fetch_items() for `raw`, built from our functions.
std::string our_answer(std::size_t seq, const std::string& raw) {
  ImapStructure st = imap_structure(raw);
  std::string out = "* " + std::to_string(seq) + " FETCH (ENVELOPE " + st.envelope +
                    " BODYSTRUCTURE " + st.body_structure + " BODY " + st.body;
  MessageSections sections(raw);
  auto append_section = [&](const std::string& spec, std::optional<Partial> partial) {
    auto section = parse_section(spec);
    EXPECT_TRUE(section) << spec;
    std::string bytes = section ? sections.bytes(*section, partial) : "";
    out += " BODY[" + (section ? section_label(*section) : spec) + "]";
    if (partial) out += "<" + std::to_string(partial->start) + ">";
    out += " {" + std::to_string(bytes.size()) + "}\r\n" + bytes;
  };
  for (const auto& s : kSections) append_section(s, std::nullopt);
  append_section("TEXT", Partial{2, 5});
  return out + ")\r\n";
}

// Runs Dovecot's imap on a maildir holding `samples`; returns its output.
std::string dovecot_answers(const std::vector<test::Sample>& samples) {
  postern::test::TempDir dir;
  fs::path base = dir.path();
  for (auto sub : {"mail/cur", "mail/new", "mail/tmp", "run"}) fs::create_directories(base / sub);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    // Maildir file names sort by their leading number: UIDs follow the order.
    write_file(base / "mail/cur" / (std::to_string(1000 + i) + ".sample:2,"), samples[i].raw);
  }
  write_file(base / "dovecot.conf",
             "base_dir = " + (base / "run").string() + "\nlog_path = " + (base / "log").string() +
                 "\nmail_location = maildir:" + (base / "mail").string() +
                 "\nssl = no\nprotocols = imap\nfirst_valid_uid = 1\nfirst_valid_gid = 1\n");
  std::string commands = "a SELECT INBOX\r\n";
  for (std::size_t i = 0; i < samples.size(); ++i) {
    commands += "f" + std::to_string(i + 1) + " FETCH " + std::to_string(i + 1) + " (" +
                fetch_items() + ")\r\n";
  }
  commands += "z LOGOUT\r\n";
  write_file(base / "in", commands);
  // Dovecot refuses to serve mail as root: then it runs as nobody.
  bool root = geteuid() == 0;
  std::string as_user = root ? "setpriv --reuid=nobody --regid=nogroup --clear-groups " : "";
  if (root) (void)std::system(("chown -R nobody:nogroup '" + base.string() + "'").c_str());
  std::string user = root ? "nobody" : std::string(getenv("USER") ? getenv("USER") : "");
  // Dovecot polls its input: a pipe, not a file.
  std::string cmd = "cat '" + (base / "in").string() + "' | " + as_user + "env -i USER=" + user +
                    " HOME='" + base.string() + "' PATH=/usr/bin:/bin " + kDovecotImap + " -c '" +
                    (base / "dovecot.conf").string() + "' > '" + (base / "out").string() + "' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << read_file(base / "out");
  std::string out = read_file(base / "out");
  if (root) (void)std::system(("chown -R root '" + base.string() + "'").c_str());
  return out;
}

// The untagged FETCH answer for message `seq` in Dovecot's output.
std::string untagged_fetch(const std::string& output, std::size_t seq) {
  std::string start = "* " + std::to_string(seq) + " FETCH (";
  auto b = output.find(start);
  if (b == std::string::npos) return {};
  // It ends before the next untagged answer or the tagged one.
  auto e = output.find("\r\n* " + std::to_string(seq + 1) + " FETCH", b);
  for (auto f = output.find(")\r\nf", b); f != std::string::npos && f < e;
       f = output.find(")\r\nf", f + 1)) {
    if (f + 4 < output.size() && std::isdigit(static_cast<unsigned char>(output[f + 4]))) {
      e = f + 1;
      break;
    }
  }
  if (e == std::string::npos) return {};
  return output.substr(b, e + 2 - b);
}

TEST(DovecotCompare, StructureAndSectionsAreDovecotsBytes) {
  if (!fs::exists(kDovecotImap)) {
    // As conftest.missing(): in CI (CI=true) every test runs, and
    // scripts/bootstrap.sh installs dovecot-imapd.
    std::string ci = std::getenv("CI") ? std::getenv("CI") : "";
    if (ci == "true" || ci == "1" || ci == "yes") FAIL() << "dovecot-imapd is not installed";
    GTEST_SKIP() << "dovecot-imapd is not installed";
  }
  std::vector<test::Sample> samples;
  for (const auto& s : test::imap_samples()) {
    if (s.crlf) samples.push_back(s);  // Dovecot turns bare LFs into CRLF
  }
  std::string output = dovecot_answers(samples);
  ASSERT_NE(output.find("* PREAUTH"), std::string::npos) << output;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(our_answer(i + 1, samples[i].raw), untagged_fetch(output, i + 1))
        << "sample " << samples[i].name;
  }
}

}  // namespace
}  // namespace postern::mime
