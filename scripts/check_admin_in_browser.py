"""Check the recall admin in a real browser (headless Chromium from Debian's packages).

Migrates and seeds the database named by DATABASE_URL, opens a fresh recall with a
submitted plan, starts the development server, then in Chromium: logs in as the demo
admin, opens the recall, runs its `approve` action from the recall's page, and asserts
the admin's message, the new state and the history, all in the browser's language; then
files a fresh sample and voids it from its page through the void form (its own reason
field and a confirmation). Once per browser language (zh-CN, then en); saves a
screenshot of each page per language.

    apt-get install -y chromium chromium-driver
    pip install selenium
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/levee_browser \
        python scripts/check_admin_in_browser.py [--port 8765] [--lang zh-CN --lang en]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
# What the page says, in each browser language: the button, the history's entry for it
# and the admin's message after it (the recall is named by its number).
SAYS = {
    "zh-CN": {
        "approve": "批准",
        "done": "：批准已完成，当前状态：已批准。",
        "recall": "召回",
        "void": "作废",
        "voided": "：作废已完成，当前状态：已作废。",
        "sample": "样品",
    },
    "en": {
        "approve": "Approve",
        "done": ": Approve done; now Approved.",
        "recall": "Recall",
        "void": "Void",
        "voided": ": Void done; now Voided.",
        "sample": "Sample",
    },
}
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1800",
]
OPEN_RECALL = """
from core.models import User
from recalls import demo, services
from traceability.models import Product
kettle = Product.objects.get(model="AX-1702")
admin = User.objects.get(username="admin")
recall = services.recall_create(
    actor=admin, producer=kettle.producer, lots=list(kettle.lots.all()[:1]),
    title="Browser check", category=kettle.category, production_from="2025-06-01",
    production_to="2025-06-01", **demo.KETTLE_PLAN)
recall = services.recall_transition(recall=recall, action="submit_plan", actor=admin)
from core.demo import password_for
print(recall.pk, recall.recall_no, password_for("admin"))
"""
# A fresh sample each run (a new model number: the no-repeat rule does not refuse it).
OPEN_SAMPLE = """
import datetime as dt, uuid
from django.utils import timezone
from core.models import User
from sampling import services
from sampling.models import Task
from traceability.models import Party, Product
admin = User.objects.get(username="admin")
kettle = Product.objects.get(model="AX-1702")
task = Task.objects.filter(mode="standard", category=kettle.category).first()
shop = Party.objects.filter(kind="retailer", region__startswith=task.region[:2]).first()
sample = services.sample_create(
    actor=admin, task=task, sampled_party=shop, producer=kettle.producer,
    location_kind="retail", quantity=4, backup_quantity=4,
    sampled_at=timezone.now() - dt.timedelta(hours=1), inspectors=["张三", "李四"],
    product_name="电热水壶", brand="安心", model=f"BC-{uuid.uuid4().hex[:8]}", lot_code="BC1")
print(sample.pk, sample.sample_no)
"""


def manage(*args, env, capture=False):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    ).stdout


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up")


def check(base, recall, sample, password, screenshot, lang):
    (recall_id, recall_no), (sample_id, sample_no) = recall, sample
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    # The browser's language, as a regulator's browser in China sends it.
    options.add_argument(f"--lang={lang}")
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    with tempfile.TemporaryDirectory(prefix="levee-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            driver.get(f"{base}/admin/login/")
            driver.find_element(By.ID, "id_username").send_keys("admin")
            driver.find_element(By.ID, "id_password").send_keys(password)
            driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
            # click() returns before the next page loads: wait for it.
            _wait(driver, lambda d: "/admin/login/" not in d.current_url, "login failed")
            print(f"[{lang}] logged in as admin: {driver.title}")

            driver.get(f"{base}/admin/recalls/recall/{recall_id}/change/")
            assert recall_no in driver.page_source, "the recall page does not show its number"
            says = SAYS[lang]
            buttons = _offered(driver)
            print(f"opened {recall_no}; actions offered: {buttons}")
            assert "approve" in buttons, buttons
            label = driver.find_element(By.ID, "transition-approve").text
            assert label == says["approve"], label

            driver.find_element(By.ID, "transition-approve").click()
            _wait(
                driver,
                lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist li"),
                "no message after approve",
            )
            messages = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "ul.messagelist li")]
            print(f"after approve: {messages}")
            assert f"{says['recall']} {recall_no}{says['done']}" in messages, messages
            buttons = _offered(driver)
            assert "announce" in buttons and "approve" not in buttons, buttons
            history = driver.find_element(By.CSS_SELECTOR, "table.state-history").text
            assert says["approve"] in history and "+0800" in history, history
            print(f"actions offered now: {buttons}; history records the approval")
            driver.save_screenshot(str(screenshot))
            print(f"screenshot: {screenshot}")
            _void_sample(driver, base, sample_id, sample_no, says, screenshot)
        finally:
            driver.quit()


def _void_sample(driver, base, sample_id, sample_no, says, screenshot):
    """Void the sample from its page: the form asks for a reason and a confirmation."""
    driver.get(f"{base}/admin/sampling/sample/{sample_id}/change/")
    button = driver.find_element(By.ID, "transition-void")
    assert button.text == says["void"], button.text
    button.click()
    _wait(driver, lambda d: d.find_elements(By.NAME, "reason"), "no void form")
    driver.find_element(By.NAME, "reason").send_keys("封样破损 seal broken")
    driver.find_element(By.ID, "transition-submit").click()  # without the confirmation
    _wait(driver, lambda d: d.find_elements(By.NAME, "confirm"), "the form did not come back")
    assert not driver.find_elements(By.CSS_SELECTOR, "ul.messagelist li"), "voided unconfirmed"
    driver.find_element(By.NAME, "reason").send_keys("封样破损 seal broken")
    driver.find_element(By.NAME, "confirm").click()
    driver.find_element(By.ID, "transition-submit").click()
    _wait(
        driver,
        lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist li"),
        "no message after void",
    )
    messages = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "ul.messagelist li")]
    print(f"after void of {sample_no}: {messages}")
    assert f"{says['sample']} {sample_no}{says['voided']}" in messages, messages
    assert not driver.find_elements(By.CSS_SELECTOR, ".transition-actions [id^=transition-]")
    history = driver.find_element(By.CSS_SELECTOR, "table.state-history").text
    assert says["void"] in history and "+0800" in history, history
    shot = screenshot.with_stem(f"{screenshot.stem}-sample")
    driver.save_screenshot(str(shot))
    print(f"screenshot: {shot}")


def _wait(driver, condition, failure, seconds=15):
    try:
        WebDriverWait(driver, seconds).until(condition)
    except TimeoutException:
        raise AssertionError(failure) from None


def _offered(driver):
    """The actions offered as buttons, by their element ids (`transition-<action>`)."""
    found = driver.find_elements(By.CSS_SELECTOR, ".transition-actions [id^=transition-]")
    return [b.get_attribute("id").removeprefix("transition-") for b in found]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--screenshot", type=Path, default=Path("/tmp/levee-recall-admin.png"))
    parser.add_argument("--lang", action="append", help="browser languages (zh-CN and en)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to a database this check may fill.")
    env = {**os.environ, "DEBUG": "true", "LOG_LEVEL": "WARNING"}
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("seed_demo", env=env, capture=True)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait_for(f"{base}/healthz")
        for lang in args.lang or ["zh-CN", "en"]:
            opened = manage("shell", "-c", OPEN_RECALL, env=env, capture=True)
            recall_id, recall_no, password = opened.strip().splitlines()[-1].split()
            filed = manage("shell", "-c", OPEN_SAMPLE, env=env, capture=True)
            sample = filed.strip().splitlines()[-1].split()
            shot = args.screenshot.with_stem(f"{args.screenshot.stem}-{lang}")
            check(base, (recall_id, recall_no), sample, password, shot, lang)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("OK: the recall and sample admins work in Chromium, in every browser language tried")


if __name__ == "__main__":
    main()
