#!/usr/bin/env python3
"""Verifies a certificate of volunteer service (a W3C Verifiable Credential with an
eddsa-jcs-2022 Data Integrity proof) from its JSON alone, without any of this project's code:
the public key comes from the issuer's did:key. Only PyPI's `cryptography`, `base58` and
`rfc8785` (JSON Canonicalization Scheme, RFC 8785).

Usage: verify_vc.py CREDENTIAL.json [--pubkey FILE]
FILE is the issuer's Ed25519 public key as PEM (what `ledgerctl pubkey` prints); when given, the
credential must be that key's. Exits 0 and prints "valid" when the proof holds; else exits 1 and
says why.
"""
import hashlib
import json
import sys

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub


def public_key_of(did):
    """The raw Ed25519 key of did:key:z..., per the did:key method."""
    if not did.startswith("did:key:z"):
        raise ValueError("not a base58btc did:key: " + did)
    raw = base58.b58decode(did[len("did:key:z"):])
    if len(raw) != 34 or raw[:2] != ED25519_PUB:
        raise ValueError("not an Ed25519 did:key: " + did)
    return raw[2:]


def did_key_of(pem):
    """did:key:z6Mk... of an Ed25519 public key in PEM."""
    key = serialization.load_pem_public_key(pem)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:z" + base58.b58encode(ED25519_PUB + raw).decode()


def verify(credential, issuer=None):
    """Data Integrity EdDSA Cryptosuites v1.0, §3.3.2 (eddsa-jcs-2022 verify proof)."""
    document = dict(credential)
    proof = dict(document.pop("proof"))
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-jcs-2022":
        raise ValueError("not an eddsa-jcs-2022 DataIntegrityProof")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ValueError("proof purpose is not assertionMethod")
    if issuer is not None and document.get("issuer") != issuer:
        raise ValueError("issued by " + str(document.get("issuer")) + ", not " + issuer)
    did, _, fragment = proof["verificationMethod"].partition("#")
    if did != document.get("issuer") or fragment != did[len("did:key:"):]:
        raise ValueError("the verification method is not the issuer's did:key")
    if "@context" in proof:
        context = proof["@context"]
        if document.get("@context", [])[: len(context)] != context:
            raise ValueError("the proof's @context does not begin the document's")
        document["@context"] = context
    proof_value = proof.pop("proofValue")
    if not proof_value.startswith("z"):
        raise ValueError("proofValue is not multibase base58btc")
    signature = base58.b58decode(proof_value[1:])
    hash_data = (hashlib.sha256(rfc8785.dumps(proof)).digest() +
                 hashlib.sha256(rfc8785.dumps(document)).digest())
    try:
        Ed25519PublicKey.from_public_bytes(public_key_of(did)).verify(signature, hash_data)
    except InvalidSignature:
        raise ValueError("the signature does not match the credential")


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--pubkey"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        credential = json.load(f)
    issuer = None
    if len(argv) == 4:
        with open(argv[3], "rb") as f:
            issuer = did_key_of(f.read())
    try:
        verify(credential, issuer)
    except (ValueError, KeyError, TypeError) as error:
        print("invalid: " + str(error))
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
