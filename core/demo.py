"""Demo users, one per role (the enterprise user comes with the traceability demo)."""

from core.choices import Role, SiteKind
from core.models import Lab, SentinelSite
from core.services import user_upsert

BEIJING, CHAOYANG, SHANGHAI = "110000", "110105", "310000"
LAB_CODE = "lab-bj-01"
SITE_CODE = "site-bj-hospital"

USERS = [
    ("admin", Role.ADMIN, {}),
    ("regulator", Role.REGULATOR, {"region": BEIJING}),
    ("regulator_sh", Role.REGULATOR, {"region": SHANGHAI}),
    ("inspector", Role.INSPECTOR, {"region": CHAOYANG}),
    ("lab", Role.LAB, {"lab_code": LAB_CODE}),
    ("sentinel", Role.SENTINEL, {"site_code": SITE_CODE}),
]


def password_for(username):
    return f"{username}-demo-pass"


def seed():
    Lab.objects.update_or_create(
        code=LAB_CODE,
        defaults={
            "name": "北京市产品质量监督检验院",
            "accreditation_no": "CNAS L0001",
            "region": BEIJING,
        },
    )
    SentinelSite.objects.update_or_create(
        code=SITE_CODE,
        defaults={
            "name": "朝阳医院 (demo)",
            "kind": SiteKind.HOSPITAL,
            "region": CHAOYANG,
            "stratum": "large_hospital",
            "weight": 25,
        },
    )
    logins = []
    for username, role, links in USERS:
        # The demo's passwords are published in the README: a policy would add nothing.
        user_upsert(
            username=username,
            role=role,
            password=password_for(username),
            password_policy=False,
            **links,
        )
        logins.append((username, password_for(username)))
    return logins
