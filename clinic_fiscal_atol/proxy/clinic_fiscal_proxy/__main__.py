"""python3 -m clinic_fiscal_proxy --odoo https://clinic.example.ru --token-file /etc/clinic-fiscal-proxy/token"""

import argparse
import logging

from .loop import build


def main():
    parser = argparse.ArgumentParser(
        prog="clinic_fiscal_proxy", description="Fiscal proxy between Odoo and an ATOL register"
    )
    parser.add_argument("--odoo", required=True, help="Odoo base URL (https://…)")
    parser.add_argument("--token-file", required=True, help="file holding the desk's token")
    parser.add_argument("--atol", help="ATOL Web Requests API root, e.g. http://127.0.0.1:16732/api/v2")
    parser.add_argument("--device-id", help="deviceID of the register on that server")
    parser.add_argument("--atol-login")
    parser.add_argument("--atol-password")
    parser.add_argument("--serial", help="the register's serial port, reported to Odoo (e.g. /dev/ttyACM0)")
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between two pulls when idle")
    parser.add_argument("--poll-timeout", type=float, default=30.0, help="seconds to wait for one task's result")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    build(args).run_forever(args.interval)


if __name__ == "__main__":
    main()
