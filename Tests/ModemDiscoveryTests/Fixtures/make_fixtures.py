#!/usr/bin/env python3
"""Writes the umockdev device descriptions used by ModemDiscoveryTests (one file per device).

The sysfs attributes follow what real devices show (vendor/product IDs, interface numbers and
class triples, drivers); serial numbers are made up. Run from this directory after editing:
    python3 make_fixtures.py
"""

HOST = "/devices/pci0000:00/0000:00:14.0/usb1"

# name: (usb port, idVendor, idProduct, manufacturer, product, serial, device props,
#        [(ifnum, class triple, driver, tty name or None, tty props)])
DEVICES = {
    "huawei-e3372": ("1-1", "12d1", "1506", "HUAWEI_MOBILE", "HUAWEI_MOBILE", None, {}, [
        ("00", "ff/02/01", "option", "ttyUSB0", {}),
        ("01", "ff/02/16", "huawei_cdc_ncm", None, {}),
        ("02", "ff/02/02", "option", "ttyUSB1", {}),
    ]),
    "huawei-e173": ("1-2", "12d1", "1436", "HUAWEI", "HUAWEI Mobile", None, {}, [
        ("00", "ff/ff/ff", "option", "ttyUSB2", {}),
        ("01", "ff/ff/ff", "option", "ttyUSB3", {}),
        ("02", "ff/ff/ff", "option", "ttyUSB4", {}),
        ("03", "08/06/50", "usb-storage", None, {}),
    ]),
    "quectel-ec25": ("1-3", "2c7c", "0125", "Quectel", "EC25", "EC25TEST0001", {}, [
        ("00", "ff/ff/ff", "option", "ttyUSB5", {}),
        ("01", "ff/00/00", "option", "ttyUSB6", {}),
        ("02", "ff/00/00", "option", "ttyUSB7", {}),
        ("03", "ff/00/00", "option", "ttyUSB8", {}),
        ("04", "ff/ff/ff", "qmi_wwan", None, {}),
    ]),
    "simcom-sim7600": ("1-4", "1e0e", "9001", "SimTech, Incorporated", "SimTech, Incorporated",
                       "0123456789ABCDEF", {}, [
        ("00", "ff/ff/ff", "option", "ttyUSB9", {}),
        ("01", "ff/00/00", "option", "ttyUSB10", {}),
        ("02", "ff/00/00", "option", "ttyUSB11", {}),
        ("03", "ff/00/00", "option", "ttyUSB12", {}),
        ("04", "ff/00/00", "option", "ttyUSB13", {}),
        ("05", "ff/ff/ff", "qmi_wwan", None, {}),
    ]),
    "cinterion-pls8": ("1-5", "1e2d", "0061", "Cinterion", "PLS8", "CINT0000PLS8", {}, [
        ("00", "02/02/01", "cdc_acm", "ttyACM0", {}),
        ("01", "0a/00/00", "cdc_acm", None, {}),
        ("02", "02/02/01", "cdc_acm", "ttyACM1", {}),
        ("03", "0a/00/00", "cdc_acm", None, {}),
        ("04", "02/02/01", "cdc_acm", "ttyACM2", {}),
        ("05", "0a/00/00", "cdc_acm", None, {}),
    ]),
    "ftdi-ft232r": ("1-6", "0403", "6001", "FTDI", "FT232R USB UART", "A50285BI", {}, [
        ("00", "ff/ff/ff", "ftdi_sio", "ttyUSB14", {}),
    ]),
    "zte-mf190": ("1-7", "19d2", "0117", "ZTE,Incorporated", "ZTE WCDMA Technologies MSM", "MF190TEST", {}, [
        ("00", "ff/ff/ff", "option", "ttyUSB15", {}),
        ("01", "ff/ff/ff", "option", "ttyUSB16", {}),
        ("02", "ff/ff/ff", "option", "ttyUSB17", {}),
    ]),
    # Tagged SMSKIT_IGNORE=1 on the USB device: must not be listed at all.
    "telit-he910-ignored": ("1-8", "1bc7", "0021", "Telit", "HE910", "HE910IGNORED", {"SMSKIT_IGNORE": "1"}, [
        ("00", "02/02/01", "cdc_acm", "ttyACM3", {}),
        ("06", "02/02/01", "cdc_acm", "ttyACM4", {}),
    ]),
    # Its first AT port is tagged SMSKIT_IGNORE=1: the primary must move to interface 02.
    "ublox-lara-r2": ("1-9", "1546", "110a", "u-blox", "LARA-R2", None, {}, [
        ("00", "02/02/01", "cdc_acm", "ttyACM5", {"SMSKIT_IGNORE": "1"}),
        ("02", "02/02/01", "cdc_acm", "ttyACM6", {}),
        ("04", "02/02/01", "cdc_acm", "ttyACM7", {}),
        ("06", "02/02/01", "cdc_acm", "ttyACM8", {}),
    ]),
    # A CDC ACM device without an AT protocol (an Arduino Uno): unknown, listed only with --all.
    "arduino-uno": ("1-10", "2341", "0043", "Arduino (www.arduino.cc)", None, "75833353035351E0C1A1", {}, [
        ("00", "02/02/00", "cdc_acm", "ttyACM9", {}),
        ("01", "0a/00/00", "cdc_acm", None, {}),
    ]),
    # Every port CDC AT (02/02/01): only the model's layout tells the GNSS (if04) and DIAG (if06) ports apart.
    "cinterion-pls63": ("1-12", "1e2d", "0069", "Cinterion", "PLS63-W", "CINT000PLS63", {}, [
        ("00", "02/02/01", "cdc_acm", "ttyACM10", {}),
        ("01", "0a/00/00", "cdc_acm", None, {}),
        ("02", "02/02/01", "cdc_acm", "ttyACM11", {}),
        ("03", "0a/00/00", "cdc_acm", None, {}),
        ("04", "02/02/01", "cdc_acm", "ttyACM12", {}),
        ("05", "0a/00/00", "cdc_acm", None, {}),
        ("06", "02/02/01", "cdc_acm", "ttyACM13", {}),
        ("07", "0a/00/00", "cdc_acm", None, {}),
    ]),
    # cdc_acm layouts from ModemManager's rules, every port CDC AT (02/02/01), the worst case: only the
    # model's layout tells the AT ports from the PPP, GNSS, log and debug ports.
    # Sierra HL7812: if00 AT (primary), if02 PPP, if04 NMEA.
    "sierra-hl7812": ("1-13", "1199", "c001", "Sierra Wireless, Incorporated", "HL7812", "HL7812TEST01", {}, [
        ("00", "02/02/01", "cdc_acm", "ttyACM14", {}),
        ("01", "0a/00/00", "cdc_acm", None, {}),
        ("02", "02/02/01", "cdc_acm", "ttyACM15", {}),
        ("03", "0a/00/00", "cdc_acm", None, {}),
        ("04", "02/02/01", "cdc_acm", "ttyACM16", {}),
        ("05", "0a/00/00", "cdc_acm", None, {}),
    ]),
    # Fibocom L850-GL: MBIM on if00/01, AT (primary) on if02, a debug port on if04, AT on if06.
    "fibocom-l850": ("1-14", "2cb7", "0007", "Fibocom Wireless Inc.", "L850 LTE Module", "L850TEST0001", {}, [
        ("00", "02/0e/00", "cdc_mbim", None, {}),
        ("01", "0a/00/02", "cdc_mbim", None, {}),
        ("02", "02/02/01", "cdc_acm", "ttyACM17", {}),
        ("03", "0a/00/00", "cdc_acm", None, {}),
        ("04", "02/02/01", "cdc_acm", "ttyACM18", {}),
        ("05", "0a/00/00", "cdc_acm", None, {}),
        ("06", "02/02/01", "cdc_acm", "ttyACM19", {}),
        ("07", "0a/00/00", "cdc_acm", None, {}),
    ]),
    # u-blox LISA-U2/SARA-U2, alternative configuration: AT (primary) on if00, then GNSS tunnel, log, SAP.
    "ublox-lisa-u2-alt": ("1-15", "1546", "1104", "u-blox AG", "u-blox LISA-U2", "LISAU2TEST01", {}, [
        ("00", "02/02/01", "cdc_acm", "ttyACM20", {}),
        ("01", "0a/00/00", "cdc_acm", None, {}),
        ("02", "02/02/01", "cdc_acm", "ttyACM21", {}),
        ("03", "0a/00/00", "cdc_acm", None, {}),
        ("04", "02/02/01", "cdc_acm", "ttyACM22", {}),
        ("05", "0a/00/00", "cdc_acm", None, {}),
        ("06", "02/02/01", "cdc_acm", "ttyACM23", {}),
        ("07", "0a/00/00", "cdc_acm", None, {}),
    ]),
    # A u-blox GNSS receiver (u-blox 8): a modem vendor's device that is no modem (ModemManager ignores it).
    "ublox-gnss-m8": ("1-16", "1546", "01a8", "u-blox AG - www.u-blox.com", "u-blox GNSS receiver", None, {}, [
        ("00", "02/02/01", "cdc_acm", "ttyACM24", {}),
        ("01", "0a/00/00", "cdc_acm", None, {}),
    ]),
    # An unknown vendor with vendor-specific interfaces: only `--probe` can find its AT port
    # (ttyUSB21 answers through generic-at.script under umockdev-run -s).
    "generic-unknown": ("1-11", "f00d", "0001", "Generic", "Unknown LTE Module", None, {}, [
        ("00", "ff/ff/ff", "option", "ttyUSB20", {}),
        ("01", "ff/ff/ff", "option", "ttyUSB21", {}),
    ]),
}

tty_minor = {"ttyUSB": (188, 0), "ttyACM": (166, 0)}


def block(path, node=None, props=(), attrs=(), links=()):
    lines = [f"P: {path}"]
    if node:
        lines.append(f"N: {node}")
    lines += [f"E: {k}={v}" for k, v in props]
    lines += [f"A: {k}={v}" for k, v in attrs]
    lines += [f"L: {k}={v}" for k, v in links]
    return "\n".join(lines) + "\n"


def describe(name, spec):
    port, vid, pid, manufacturer, product, serial, device_props, interfaces = spec
    usb = f"{HOST}/{port}"
    bus_dev = 100 + int(port.split("-")[1])
    blocks = []
    for ifnum, triple, driver, tty, tty_props in interfaces:
        iface = f"{usb}/{port}:1.{int(ifnum, 16)}"
        if tty:
            prefix = tty.rstrip("0123456789")
            major, _ = tty_minor[prefix]
            minor = int(tty[len(prefix):])
            if prefix == "ttyUSB":
                tty_path = f"{iface}/{tty}/tty/{tty}"
            else:
                tty_path = f"{iface}/tty/{tty}"
            props = [("DEVNAME", f"/dev/{tty}"), ("MAJOR", major), ("MINOR", minor), ("SUBSYSTEM", "tty")]
            props += sorted(tty_props.items())
            blocks.append(block(tty_path, tty, props))
            if prefix == "ttyUSB":
                blocks.append(block(f"{iface}/{tty}", props=[("DRIVER", f"{driver}1"), ("SUBSYSTEM", "usb-serial")]))
        cls, sub, proto = triple.split("/")
        blocks.append(block(iface, props=[("DEVTYPE", "usb_interface"), ("DRIVER", driver), ("SUBSYSTEM", "usb")],
                            attrs=[("bInterfaceClass", cls), ("bInterfaceNumber", ifnum),
                                   ("bInterfaceProtocol", proto), ("bInterfaceSubClass", sub)]))
    attrs = [("idProduct", pid), ("idVendor", vid), ("manufacturer", manufacturer)]
    if product:
        attrs.append(("product", product))
    if serial:
        attrs.append(("serial", serial))
    props = [("DEVNAME", f"/dev/bus/usb/001/{bus_dev:03d}"), ("DEVTYPE", "usb_device"), ("DRIVER", "usb"),
             ("PRODUCT", f"{int(vid, 16):x}/{int(pid, 16):x}/0"), ("SUBSYSTEM", "usb")]
    props += sorted(device_props.items())
    blocks.append(block(usb, f"bus/usb/001/{bus_dev:03d}", props, attrs))
    return "\n".join(blocks)


def host():
    """The USB root hub every device hangs off; load it first (umockdev-run -d host.umockdev -d ...)."""
    return "\n".join([
        block(HOST, props=[("DEVTYPE", "usb_device"), ("SUBSYSTEM", "usb")],
              attrs=[("idProduct", "0002"), ("idVendor", "1d6b")]),
        block("/devices/pci0000:00/0000:00:14.0", props=[("SUBSYSTEM", "pci")]),
    ])


if __name__ == "__main__":
    with open("host.umockdev", "w") as f:
        f.write(host())
    for name, spec in DEVICES.items():
        with open(f"{name}.umockdev", "w") as f:
            f.write(describe(name, spec))
