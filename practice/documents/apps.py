from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Background documents (PDFs, exports): the job engine, its tasks, pages and
    files. It names no feature: each feature registers its document kinds
    (``practice.documents.registry.register``) from its own ``AppConfig.ready()``.
    """

    name = "practice.documents"
    label = "documents"
    verbose_name = "Documents"
