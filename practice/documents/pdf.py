"""PDF documents: HTML -> PDF with WeasyPrint, then a PAdES signature with the
practice certificate (pyHanko), so any later change to the file is detectable.

The certificate and key are PEM files named by ``PRACTICE_CERT_FILE`` and
``PRACTICE_KEY_FILE`` (optionally encrypted with ``PRACTICE_KEY_PASSPHRASE``).
``python manage.py make_practice_certificate`` creates a self-signed pair for a
new practice; a certificate from a CA can be configured instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from practice.models import PracticeSettings

PDF_CSS = Path(settings.BASE_DIR) / "static" / "css" / "pdf.css"
SIGNATURE_FIELD = "PracticeSignature"


class CertificateMissing(Exception):
    """The practice certificate or key is not configured or cannot be loaded."""


def _refuse_fetch(url: str, *args, **kwargs):
    # Documents are rendered from our own templates only: no image, font or
    # stylesheet is ever fetched from a file path or the network.
    raise ValueError("external resources are not loaded in documents")


def render_pdf(template: str, context: dict) -> bytes:
    """Render a template (extending ``pdf/base.html``) to unsigned PDF bytes."""
    from weasyprint import CSS, HTML  # heavy: loaded when a PDF is made

    context = {"practice": PracticeSettings.load(), **context}
    html = render_to_string(template, context)
    document = HTML(string=html, url_fetcher=_refuse_fetch, base_url=None)
    return document.write_pdf(stylesheets=[CSS(filename=str(PDF_CSS))])


def html_to_pdf(html: str, *, css: str = "") -> tuple[bytes, int]:
    """One HTML document to unsigned PDF bytes and its number of pages.

    For documents made of parts (the chart export): each part is laid out on
    its own, so WeasyPrint's memory is bounded by the largest part, not by the
    whole document.
    """
    from weasyprint import CSS, HTML  # heavy: loaded when a PDF is made

    sheets = [CSS(filename=str(PDF_CSS))] + ([CSS(string=css)] if css else [])
    document = HTML(string=html, url_fetcher=_refuse_fetch, base_url=None).render(
        stylesheets=sheets
    )
    return document.write_pdf(), len(document.pages)


def join_pdfs(parts: list[bytes], *, title: str = "", attachments: dict | None = None) -> bytes:
    """Concatenate unsigned PDFs (in order) into one, with files attached to it
    (``{name: bytes}``); sign the result once with ``sign_pdf``."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(BytesIO(part)))
    for name, data in (attachments or {}).items():
        writer.add_attachment(name, data)
    if title:
        writer.add_metadata({"/Title": title})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _passphrase() -> bytes | None:
    value = getattr(settings, "PRACTICE_KEY_PASSPHRASE", "") or ""
    return value.encode() if value else None


def load_signer():
    """The pyHanko signer for the practice certificate, or CertificateMissing."""
    from pyhanko.sign import signers

    cert_file = Path(settings.PRACTICE_CERT_FILE)
    key_file = Path(settings.PRACTICE_KEY_FILE)
    if not cert_file.exists() or not key_file.exists():
        raise CertificateMissing(
            "The practice certificate is not set up. An administrator can create one "
            "with `python manage.py make_practice_certificate`."
        )
    signer = signers.SimpleSigner.load(str(key_file), str(cert_file), key_passphrase=_passphrase())
    # SimpleSigner.load returns None (it does not raise) on a bad key,
    # certificate or passphrase.
    if signer is None:
        raise CertificateMissing(
            "The practice certificate or its key could not be loaded (wrong file or passphrase)."
        )
    return signer


def sign_pdf(pdf: bytes, *, reason: str) -> bytes:
    """Add a PAdES (B-B) signature by the practice certificate to ``pdf``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = load_signer()
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        name=_practice_name(),
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


def _practice_name() -> str:
    return PracticeSettings.load().name


def validate_pdf(data: bytes):
    """pyHanko's validation status of the practice signature in ``data``.

    Judge it by ``status.intact`` and ``status.bottom_line``: ``valid`` covers
    only the signed attributes and can stay True on a tampered file.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _validate(data)
    # pyHanko runs its own event loop (asyncio.run), which cannot start inside a
    # running one (e.g. Playwright's sync API in tests): use a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_validate, data).result()


def _validate(data: bytes):
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    raw = Path(settings.PRACTICE_CERT_FILE).read_bytes()
    if pem.detect(raw):
        _, _, raw = pem.unarmor(raw)
    root = x509.Certificate.load(raw)
    context = ValidationContext(trust_roots=[root])
    reader = PdfFileReader(BytesIO(data), strict=False)
    signatures = reader.embedded_signatures
    if len(signatures) != 1:
        raise ValueError(f"expected one signature, found {len(signatures)}")
    return validate_pdf_signature(signatures[0], context)


def make_self_signed_certificate(
    *, common_name: str, organization: str, days: int = 3650, passphrase: bytes | None = None
) -> tuple[bytes, bytes]:
    """A new RSA-3072 key and a self-signed X.509 certificate for document signing (PEM)."""
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = cx509.Name(
        [
            cx509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            cx509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(cx509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            cx509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(cx509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem
