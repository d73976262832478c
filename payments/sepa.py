"""A SEPA credit transfer initiation (ISO 20022 ``pain.001.001.03``), built from plain values.

Pure: no database. One payment information block (one debtor account, one execution date) with
one transaction per creditor. Names are written in the SEPA character set (the EPC's Latin subset:
accents dropped, other characters replaced by a space) and cut to 70 characters; identifiers to
35; amounts with two decimals. The tests validate the output against the official XSD.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


def sepa_text(value: str, limit: int) -> str:
    """``value`` in the SEPA character set, at most ``limit`` characters (never empty)."""
    ascii_ = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode("ascii")
    cleaned = " ".join(_NOT_SEPA.sub(" ", ascii_).split())
    return (cleaned[:limit].rstrip() or "-")[:limit]


def amount_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}"


@dataclass(frozen=True)
class Debtor:
    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str
    amount: Decimal  # > 0, EUR
    creditor_name: str
    iban: str
    bic: str  # "" when unknown: the bank finds it from the IBAN
    remittance: str  # unstructured, at most 140 characters


def _sub(parent, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def credit_transfer_xml(
    *, message_id: str, created_at: datetime, execution_date: date, debtor: Debtor, transfers: list[Transfer]
) -> bytes:
    """The pain.001.001.03 document, UTF-8 with its XML declaration."""
    if not transfers:
        raise ValueError("A payment file needs at least one transfer.")
    if any(t.amount <= 0 for t in transfers):
        raise ValueError("Every transfer's amount is positive.")
    count, total = str(len(transfers)), amount_text(sum((t.amount for t in transfers), Decimal("0")))
    ET.register_namespace("", NAMESPACE)
    document = ET.Element(f"{{{NAMESPACE}}}Document")
    ns = f"{{{NAMESPACE}}}"

    def sub(parent, tag, text=None, **attributes):
        return _sub(parent, ns + tag, text, **attributes)

    initiation = sub(document, "CstmrCdtTrfInitn")
    header = sub(initiation, "GrpHdr")
    sub(header, "MsgId", sepa_text(message_id, 35))
    sub(header, "CreDtTm", created_at.replace(microsecond=0, tzinfo=None).isoformat())
    sub(header, "NbOfTxs", count)
    sub(header, "CtrlSum", total)
    sub(sub(header, "InitgPty"), "Nm", sepa_text(debtor.name, 70))

    info = sub(initiation, "PmtInf")
    sub(info, "PmtInfId", sepa_text(message_id, 35))
    sub(info, "PmtMtd", "TRF")
    sub(info, "BtchBookg", "true")
    sub(info, "NbOfTxs", count)
    sub(info, "CtrlSum", total)
    sub(sub(sub(info, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    sub(info, "ReqdExctnDt", execution_date.isoformat())
    sub(sub(info, "Dbtr"), "Nm", sepa_text(debtor.name, 70))
    sub(sub(sub(info, "DbtrAcct"), "Id"), "IBAN", debtor.iban)
    agent = sub(info, "DbtrAgt")
    sub(sub(agent, "FinInstnId"), "BIC", debtor.bic)
    sub(info, "ChrgBr", "SLEV")
    for transfer in transfers:
        item = sub(info, "CdtTrfTxInf")
        sub(sub(item, "PmtId"), "EndToEndId", sepa_text(transfer.end_to_end_id, 35))
        sub(sub(item, "Amt"), "InstdAmt", amount_text(transfer.amount), Ccy="EUR")
        if transfer.bic:
            sub(sub(sub(item, "CdtrAgt"), "FinInstnId"), "BIC", transfer.bic)
        sub(sub(item, "Cdtr"), "Nm", sepa_text(transfer.creditor_name, 70))
        sub(sub(sub(item, "CdtrAcct"), "Id"), "IBAN", transfer.iban)
        sub(sub(item, "RmtInf"), "Ustrd", sepa_text(transfer.remittance, 140))
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)
