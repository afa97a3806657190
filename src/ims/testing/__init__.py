"""Test support for ims deployments and plugin authors.

Import what you need from the modules; this package imports none of them, so
loading it costs nothing:

* :mod:`ims.testing.fixtures` — pytest fixtures (``ims_instance``, ``make_user``,
  ``ims_clock``, ...).  ims registers it as a pytest plugin (entry point
  ``pytest11``), so the fixtures are available without an import in any project
  that installs ims.
* :mod:`ims.testing.stores` — ``DocumentStoreConformance``, the tests every
  document store must pass.
* :mod:`ims.testing.channels` — ``ChannelConformance``, the same for notification
  channels.
* :mod:`ims.testing.files` — small real files (PDF, JPEG with EXIF, ...) for uploads.

See ``docs/plugins.md``, section "Testing a plugin".
"""
