#include "net/self_signed_cert.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "core/hex.h"

namespace postern::net {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Names = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using Name = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME, GENERAL_NAME_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

// OpenSSL's own words for the last error, cleared from its queue.
Problem openssl_problem(const std::string& what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  char text[256] = "no detail";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  return Problem{what + ": " + text};
}

// A DNS name as RFC 5280 §4.2.1.6 wants it in a dNSName: letters, digits,
// '-' and '.', no empty label. Host names outside that (an underscore, a
// space) would make an extension clients refuse.
bool is_dns_name(const std::string& s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
  char previous = '.';
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.';
    if (!ok || (c == '.' && previous == '.')) return false;
    previous = c;
  }
  return true;
}

// The subjectAltName, built entry by entry rather than from OpenSSL's
// "DNS:a,IP:b" configuration syntax, which a host name could inject into.
Result<Names, Problem> subject_alt_names(const std::vector<std::string>& names, std::string& cn) {
  Names out(GENERAL_NAMES_new());
  if (!out) return openssl_problem("subjectAltName");
  for (const auto& n : names) {
    Name entry(GENERAL_NAME_new());
    if (!entry) return openssl_problem("subjectAltName");
    if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(n.c_str())) {
      GENERAL_NAME_set0_value(entry.get(), GEN_IPADD, ip);
    } else if (is_dns_name(n)) {
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (!dns || ASN1_STRING_set(dns, n.data(), static_cast<int>(n.size())) != 1) {
        ASN1_IA5STRING_free(dns);
        return openssl_problem("subjectAltName");
      }
      GENERAL_NAME_set0_value(entry.get(), GEN_DNS, dns);
    } else {
      continue;
    }
    ERR_clear_error();  // a2i_IPADDRESS leaves an error for a non-address
    if (cn.empty()) cn = n;
    if (sk_GENERAL_NAME_push(out.get(), entry.get()) == 0) return openssl_problem("subjectAltName");
    entry.release();
  }
  if (cn.empty()) return Problem{"no DNS name or IP address to put in the certificate"};
  return out;
}

Result<void, Problem> add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return openssl_problem(std::string("extension ") + OBJ_nid2sn(nid));
  return {};
}

Result<void, Problem> set_serial(X509* cert) {
  // RFC 5280 §4.1.2.2: positive, at most 20 octets; 159 random bits are
  // unique without a counter to keep.
  Bignum serial(BN_new());
  if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)))
    return openssl_problem("serial number");
  return {};
}

Result<void, Problem> set_validity(X509* cert, SystemTime not_before, SystemTime not_after) {
  auto seconds = [](SystemTime t) { return std::chrono::system_clock::to_time_t(t); };
  if (!ASN1_TIME_set(X509_getm_notBefore(cert), seconds(not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert), seconds(not_after)))
    return openssl_problem("validity");
  return {};
}

template <class Write>
Result<std::string, Problem> pem(Write write, const char* what) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return openssl_problem(what);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  // std::string converts to Problem too: say which side.
  return {boost::system::in_place_value, std::string(data, static_cast<std::size_t>(size))};
}

Result<SystemTime, Problem> time_of(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return Problem{"certificate has an unreadable validity"};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string fingerprint(const X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  X509_digest(cert, EVP_sha256(), digest, &size);
  auto hex = to_hex(std::string_view(reinterpret_cast<const char*>(digest), size), HexCase::upper);
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) out.push_back(':');
    out.append(hex, i, 2);
  }
  return out;
}

}  // namespace

Result<CertificatePem, Problem> make_self_signed(const std::vector<std::string>& names,
                                                 SystemTime not_before, SystemTime not_after) {
  std::string cn;
  auto san = subject_alt_names(names, cn);
  if (!san) return san.error();
  // P-256: every TLS client has it, and it is quick to make at start-up
  // (an RSA-2048 key takes a noticeable fraction of a second).
  Key key(EVP_EC_gen("P-256"));
  Cert cert(X509_new());
  if (!key || !cert) return openssl_problem("key generation");
  X509* c = cert.get();
  if (X509_set_version(c, X509_VERSION_3) != 1 || X509_set_pubkey(c, key.get()) != 1)
    return openssl_problem("certificate");
  if (auto r = set_serial(c); !r) return r.error();
  if (auto r = set_validity(c, not_before, not_after); !r) return r.error();
  X509_NAME* subject = X509_get_subject_name(c);
  auto add_entry = [subject](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(subject, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  if (!add_entry("O", "Postern self-signed") || !add_entry("CN", cn) ||
      X509_set_issuer_name(c, subject) != 1)
    return openssl_problem("subject");
  if (X509_add1_ext_i2d(c, NID_subject_alt_name, san->get(), 0, X509V3_ADD_DEFAULT) != 1)
    return openssl_problem("subjectAltName");
  // The set of extensions that strict verifiers (Python 3.13's
  // VERIFY_X509_STRICT, OpenSSL's x509_strict) ask of a CA certificate.
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                            {NID_key_usage, "critical,digitalSignature,keyCertSign"},
                            {NID_ext_key_usage, "serverAuth"},
                            {NID_subject_key_identifier, "hash"},
                            {NID_authority_key_identifier, "keyid:always"}}) {
    if (auto r = add_extension(c, nid, value); !r) return r.error();
  }
  if (X509_sign(c, key.get(), EVP_sha256()) == 0) return openssl_problem("signature");
  auto cert_pem = pem([c](BIO* b) { return PEM_write_bio_X509(b, c); }, "certificate PEM");
  if (!cert_pem) return cert_pem.error();
  auto key_pem = pem(
      [k = key.get()](BIO* b) {
        return PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
      },
      "key PEM");
  if (!key_pem) return key_pem.error();
  return CertificatePem{std::move(*cert_pem), std::move(*key_pem)};
}

Result<CertificateFacts, Problem> inspect_certificate(const CertificatePem& pem) {
  Bio cert_bio(BIO_new_mem_buf(pem.cert.data(), static_cast<int>(pem.cert.size())));
  Bio key_bio(BIO_new_mem_buf(pem.key.data(), static_cast<int>(pem.key.size())));
  if (!cert_bio || !key_bio) return openssl_problem("memory");
  Cert cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return openssl_problem("the certificate does not parse");
  // No passphrase callback: an encrypted key is not ours and fails here.
  Key key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) return openssl_problem("the key does not parse");
  if (X509_check_private_key(cert.get(), key.get()) != 1)
    return openssl_problem("the key does not belong to the certificate");
  auto not_before = time_of(X509_get0_notBefore(cert.get()));
  if (!not_before) return not_before.error();
  auto not_after = time_of(X509_get0_notAfter(cert.get()));
  if (!not_after) return not_after.error();
  return CertificateFacts{fingerprint(cert.get()), *not_before, *not_after};
}

}  // namespace postern::net
