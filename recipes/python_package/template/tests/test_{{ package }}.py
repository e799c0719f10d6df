import unittest

import {{ package }}


class GreetTest(unittest.TestCase):
    def test_default(self):
        self.assertEqual({{ package }}.greet(), "Hello, world!")

    def test_name(self):
        self.assertEqual({{ package }}.greet("Ada"), "Hello, Ada!")
{%- if cli %}


class CliTest(unittest.TestCase):
    def test_main_prints_greeting(self):
        import contextlib
        import io

        from {{ package }}.cli import main

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(main(["--name", "Ada"]), 0)
        self.assertEqual(out.getvalue(), "Hello, Ada!\n")
{%- endif %}


if __name__ == "__main__":
    unittest.main()
