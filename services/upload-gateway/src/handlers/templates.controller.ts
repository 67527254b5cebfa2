import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { TemplatesService } from '../templates.service.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ErrorSchema, openapi, TemplateListSchema } from './openapi.schemas.js';

@ApiTags('templates')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('v1/templates')
@UseGuards(ApiKeyGuard)
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  @ApiOperation({
    summary: "The sender's APPROVED templates, with the parameters a broadcast mapping must fill",
    description:
      'Read from the WhatsApp Cloud API template list (all pages), cached for TEMPLATE_CACHE_TTL_SECONDS. ' +
      'Templates belong to the business account and are shared by all its phone numbers.',
  })
  @ApiQuery({
    name: 'phoneNumberId',
    required: false,
    description: 'The sender (optional; echoed).',
  })
  @ApiResponse({ status: 200, schema: openapi(TemplateListSchema) })
  @ApiResponse({ status: 401, schema: openapi(ErrorSchema) })
  @ApiResponse({
    status: 502,
    description: 'The Cloud API refused the request (e.g. expired token).',
    schema: openapi(ErrorSchema),
  })
  async list(@Query('phoneNumberId') phoneNumberId?: string): Promise<unknown> {
    const data = await this.templates.approved();
    return {
      data,
      ...(typeof phoneNumberId === 'string' && phoneNumberId ? { phoneNumberId } : {}),
    };
  }
}
