#!/usr/bin/python3
"""Hot-plug driver for ModemDiscoveryTests: plays plug/unplug events to `smskit devices --watch`.

Usage: hotplug.py SMSKIT_BINARY [extra smskit args...]

How it works (umockdev 0.17, Debian 12):
  * This process creates a UMockdev.Testbed (GObject bindings, gir1.2-umockdev-1.0 + python3-gi)
    and must itself run with LD_PRELOAD=libumockdev-preload.so.0: the testbed's uevent sender
    resolves devices through libudev, which only sees the testbed's /sys when preloaded. The
    script re-executes itself with the preload when it is missing.
  * smskit runs as a child with the same LD_PRELOAD and UMOCKDEV_DIR=<testbed root>, so its
    libudev enumerates the fake sysfs and its netlink monitor receives Testbed.uevent() messages.
  * add_from_file() creates sysfs entries but sends no uevent; each step below sends them.
  * Every step waits for smskit's output line before the next one (no sleeps); a missing line
    within the guard timeout exits with status 3.

Scenario (each smskit stdout line is echoed to our stdout):
  1. EC25 present before start          -> "added" EC25 (the initial snapshot)
  2. SIM7600 + FTDI plugged in one burst -> "added" SIM7600 only (FTDI is an adapter)
  3. SIM7600 ttys removed, sysfs kept    -> "removed" SIM7600 (removal tracked by devpath)
  4. EC25 USB device removed             -> "removed" EC25
"""
import os
import select
import subprocess
import sys

PRELOAD = "libumockdev-preload.so.0"
if PRELOAD not in os.environ.get("LD_PRELOAD", ""):
    os.environ["LD_PRELOAD"] = (PRELOAD + " " + os.environ.get("LD_PRELOAD", "")).strip()
    os.execv(sys.executable, [sys.executable] + sys.argv)

import gi  # noqa: E402

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

FIXTURES = os.path.dirname(os.path.abspath(__file__))
HOST = "/sys/devices/pci0000:00/0000:00:14.0/usb1"
GUARD_SECONDS = 10


def load(testbed, name):
    testbed.add_from_file(os.path.join(FIXTURES, name + ".umockdev"))


def ttys(port, first, count):
    """Syspaths of ttyUSB<first>... on interfaces 0..count-1 of USB device `port`."""
    paths = []
    for i in range(count):
        name = f"ttyUSB{first + i}"
        paths.append(f"{HOST}/{port}/{port}:1.{i}/{name}/tty/{name}")
    return paths


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    testbed = UMockdev.Testbed.new()
    os.environ["UMOCKDEV_DIR"] = testbed.get_root_dir()
    load(testbed, "host")
    load(testbed, "quectel-ec25")

    child = subprocess.Popen([sys.argv[1], "devices", "--watch", "--json", "--settle-ms", "300"] + sys.argv[2:],
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ))

    def expect_line(step):
        ready, _, _ = select.select([child.stdout], [], [], GUARD_SECONDS)
        line = child.stdout.readline() if ready else ""
        if not line:
            print(f"hotplug.py: no event from smskit after step {step} within {GUARD_SECONDS}s", file=sys.stderr)
            child.kill()
            sys.exit(3)
        sys.stdout.write(line)
        sys.stdout.flush()

    try:
        expect_line("1 (snapshot)")

        load(testbed, "simcom-sim7600")
        load(testbed, "ftdi-ft232r")
        for path in ttys("1-4", 9, 5) + [f"{HOST}/1-6/1-6:1.0/ttyUSB14/tty/ttyUSB14"]:
            testbed.uevent(path, "add")
        expect_line("2 (plug SIM7600 + FTDI)")

        for path in ttys("1-4", 9, 5):
            testbed.uevent(path, "remove")
        expect_line("3 (unplug SIM7600, sysfs still present)")

        testbed.uevent(f"{HOST}/1-3", "remove")
        testbed.remove_device(f"{HOST}/1-3")
        expect_line("4 (unplug EC25 USB device)")
    finally:
        child.terminate()
        child.wait(timeout=GUARD_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
