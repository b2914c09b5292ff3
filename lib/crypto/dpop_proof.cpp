#include "crypto/dpop_proof.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <array>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "crypto/openssl_owned.h"

namespace ssm::crypto {
namespace {

using Json = nlohmann::json;
constexpr std::size_t kCoordinate = 32;  // P-256

template <typename T>
using Owned = OpensslOwned<T>;

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

bool is_p256(EVP_PKEY* key) {
  char group[64] = {};
  std::size_t length = 0;
  return EVP_PKEY_is_a(key, "EC") &&
         EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) == 1 &&
         std::string_view(group) == "prime256v1";
}

std::optional<std::array<std::uint8_t, kCoordinate>> coordinate(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return std::nullopt;
  const Owned<BIGNUM> bn(raw);
  std::array<std::uint8_t, kCoordinate> out{};
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size())) return std::nullopt;
  return out;
}

}  // namespace

std::optional<std::string> make_dpop_proof(const std::string& private_key_pem, std::string_view method,
                                           std::string_view url, std::int64_t issued_at, std::string_view jti,
                                           std::string& error) {
  const Owned<BIO> bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  const Owned<EVP_PKEY> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key || !is_p256(key.get())) {
    error = "the DPoP key is not a P-256 private key in PEM";
    return std::nullopt;
  }
  const auto x = coordinate(key.get(), OSSL_PKEY_PARAM_EC_PUB_X), y = coordinate(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
  if (!x || !y) {
    error = "the DPoP key has no public point";
    return std::nullopt;
  }
  const Json header = {{"typ", "dpop+jwt"},
                       {"alg", "ES256"},
                       {"jwk", {{"kty", "EC"}, {"x", base::base64url_encode(*x)}, {"y", base::base64url_encode(*y)}, {"crv", "P-256"}}}};
  const Json claims = {{"htm", method}, {"htu", url}, {"iat", issued_at}, {"jti", jti}};
  const std::string signing_input = base::base64url_encode(header.dump()) + "." + base::base64url_encode(claims.dump());

  const Owned<EVP_MD_CTX> md(EVP_MD_CTX_new());
  std::size_t der_size = 0;
  if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &der_size, bytes(signing_input).data(), signing_input.size()) != 1) {
    error = "cannot sign the DPoP proof";
    return std::nullopt;
  }
  std::vector<std::uint8_t> der(der_size);
  if (EVP_DigestSign(md.get(), der.data(), &der_size, bytes(signing_input).data(), signing_input.size()) != 1) {
    error = "cannot sign the DPoP proof";
    return std::nullopt;
  }
  const std::uint8_t* p = der.data();
  const Owned<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_size)));
  std::array<std::uint8_t, 2 * kCoordinate> raw{};
  if (!sig || BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), kCoordinate) != kCoordinate ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + kCoordinate, kCoordinate) != kCoordinate) {
    error = "cannot sign the DPoP proof";
    return std::nullopt;
  }
  return signing_input + "." + base::base64url_encode(raw);
}

std::optional<DpopClaims> verify_dpop_proof(std::string_view proof, std::string& error) {
  const auto fail = [&](const char* why) -> std::optional<DpopClaims> {
    error = why;
    return std::nullopt;
  };
  const auto dot1 = proof.find('.'), dot2 = proof.rfind('.');
  if (dot1 == std::string_view::npos || dot1 == dot2) return fail("the DPoP proof is not a JWT");
  const auto header_bytes = base::base64url_decode(proof.substr(0, dot1));
  const auto claim_bytes = base::base64url_decode(proof.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto signature = base::base64url_decode(proof.substr(dot2 + 1));
  if (!header_bytes || !claim_bytes || !signature) return fail("the DPoP proof is not base64url");
  const Json header = Json::parse(header_bytes->begin(), header_bytes->end(), nullptr, false);
  const Json claims = Json::parse(claim_bytes->begin(), claim_bytes->end(), nullptr, false);
  if (!header.is_object() || !claims.is_object()) return fail("the DPoP proof's parts are not JSON objects");
  if (header.value("typ", "") != "dpop+jwt" || header.value("alg", "") != "ES256") return fail("the DPoP proof is not an ES256 dpop+jwt");
  const Json jwk = header.value("jwk", Json::object());
  if (!jwk.is_object() || jwk.value("kty", "") != "EC" || jwk.value("crv", "") != "P-256")
    return fail("the DPoP proof's key is not a P-256 JWK");
  const auto x = base::base64url_decode(jwk.value("x", "")), y = base::base64url_decode(jwk.value("y", ""));
  if (!x || !y || x->size() != kCoordinate || y->size() != kCoordinate || signature->size() != 2 * kCoordinate)
    return fail("the DPoP proof's key or signature has the wrong size");

  std::vector<std::uint8_t> point{0x04};
  point.insert(point.end(), x->begin(), x->end());
  point.insert(point.end(), y->begin(), y->end());
  const Owned<OSSL_PARAM_BLD> build(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  const Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(build.get()));
  const Owned<EVP_PKEY_CTX> from(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (!params || !from || EVP_PKEY_fromdata_init(from.get()) != 1 ||
      EVP_PKEY_fromdata(from.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return fail("the DPoP proof's key is not a point on P-256");
  const Owned<EVP_PKEY> key(raw_key);

  Owned<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(signature->data(), kCoordinate, nullptr);
  BIGNUM* s = BN_bin2bn(signature->data() + kCoordinate, kCoordinate, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return fail("the DPoP proof's signature cannot be read");
  }
  unsigned char* der = nullptr;
  const int der_size = i2d_ECDSA_SIG(sig.get(), &der);
  const std::string signing_input(proof.substr(0, dot2));
  const Owned<EVP_MD_CTX> md(EVP_MD_CTX_new());
  const bool good = der_size > 0 && md && EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
                    EVP_DigestVerify(md.get(), der, static_cast<std::size_t>(der_size), bytes(signing_input).data(),
                                     signing_input.size()) == 1;
  OPENSSL_free(der);
  if (!good) return fail("the DPoP proof's signature does not verify");

  DpopClaims c;
  c.method = claims.value("htm", "");
  c.url = claims.value("htu", "");
  c.jti = claims.value("jti", "");
  const auto iat = claims.find("iat");
  if (iat == claims.end() || !iat->is_number_integer() || c.method.empty() || c.url.empty() || c.jti.empty())
    return fail("the DPoP proof lacks htm, htu, iat or jti");
  c.issued_at = iat->get<std::int64_t>();
  c.public_key = jwk.value("x", "") + "." + jwk.value("y", "");
  return c;
}

std::string generate_dpop_key_pem() {
  const Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  const Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (!key || !bio ||
      PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace ssm::crypto
