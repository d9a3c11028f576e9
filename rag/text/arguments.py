"""A command-line parser whose own words are Vietnamese: usage, section titles, the help option and argparse's
error messages (the `rag` command and `rag ui` both use it; everything a user reads is Vietnamese)."""

from __future__ import annotations

import argparse
import sys

class VietnameseParser(argparse.ArgumentParser):
    """argparse with its own words in Vietnamese (usage, errors, the help option)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "cách dùng:")

    def format_help(self) -> str:
        return (super().format_help().replace("usage:", "cách dùng:")
                .replace("positional arguments:", "tham số:").replace("options:", "tùy chọn:"))

    def error(self, message: str):
        for english, vietnamese in (("the following arguments are required", "thiếu tham số"),
                                    ("unrecognized arguments", "tham số không nhận ra"),
                                    ("invalid choice", "lựa chọn không hợp lệ"),
                                    ("argument ", "tham số "), ("expected one argument", "cần một giá trị"),
                                    ("(choose from", "(chọn một trong"),
                                    ("invalid int value", "không phải số nguyên")):
            message = message.replace(english, vietnamese)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {message}\n")
