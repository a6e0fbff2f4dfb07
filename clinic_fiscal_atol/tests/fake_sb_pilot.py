"""A stand-in for Sberbank's ``sb_pilot`` agent: same arguments, same answer files (``e``, ``p`` in KOI8-R).

Every call is appended to ``calls.log`` beside it; ``decline`` in the file ``mode`` makes it decline.
"""

import os
import sys

FOLDER = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    with open(os.path.join(FOLDER, "calls.log"), "a", encoding="utf-8") as log:
        log.write(" ".join(argv) + "\n")
    mode_path = os.path.join(FOLDER, "mode")
    mode = open(mode_path, encoding="utf-8").read().strip() if os.path.exists(mode_path) else "approve"
    calls = sum(1 for _line in open(os.path.join(FOLDER, "calls.log"), encoding="utf-8"))
    rrn = f"{400000000000 + calls:012d}"
    operation = {"1": "ОПЛАТА", "3": "ВОЗВРАТ"}.get(argv[0], "?")
    if mode == "decline":
        answer, slip = "4134,ОТКАЗ: НЕДОСТАТОЧНО СРЕДСТВ", f"{operation}\nОТКАЗАНО\n"
    else:
        answer = "0,ОДОБРЕНО"
        slip = (
            f"ПАО СБЕРБАНК\n{operation}\nСУММА: {int(argv[1]) / 100:.2f} RUB\nКАРТА: ************1234\n"
            f"Код авторизации: A1B2C3\nRRN: {rrn}\nОДОБРЕНО\n"
        )
    with open(os.path.join(FOLDER, "e"), "w", encoding="koi8-r") as result:
        result.write(answer + "\n")
    with open(os.path.join(FOLDER, "p"), "w", encoding="koi8-r") as slip_file:
        slip_file.write(slip)


if __name__ == "__main__":
    main(sys.argv[1:])
