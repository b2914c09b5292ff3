// lib/crypto — DPoP proofs (RFC 9449), which the AWS Sign-In service asks for when the
// credentials of an `aws login` session are refreshed: a JSON Web Token, ES256-signed with
// the session's P-256 key (kept in the login cache as a SEC1 PEM), whose header carries the
// public key as a JWK and whose claims name the request (htm, htu), its time (iat) and a
// unique id (jti). The signature is the raw 64-byte r||s, not DER.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssm::crypto {

// The proof for one request; nullopt and `error` (never key material) when the key is not a
// P-256 private key in PEM.
std::optional<std::string> make_dpop_proof(const std::string& private_key_pem, std::string_view method,
                                           std::string_view url, std::int64_t issued_at, std::string_view jti,
                                           std::string& error);

struct DpopClaims {
  std::string method;  // htm
  std::string url;     // htu
  std::string jti;
  std::int64_t issued_at = 0;
  std::string public_key;  // the JWK's x and y, base64url, "x.y": the same key signs every proof of a session
};

// Checks a proof's form and its signature against the key it carries; nullopt and `error`
// when either is wrong. Whether the claims fit the request is the caller's to check.
std::optional<DpopClaims> verify_dpop_proof(std::string_view proof, std::string& error);

// A fresh P-256 private key as SEC1 PEM ("BEGIN EC PRIVATE KEY"), as `aws login` stores it.
std::string generate_dpop_key_pem();

}  // namespace ssm::crypto
